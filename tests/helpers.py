"""Catalog helpers shared by the integration tests."""

from __future__ import annotations

import io
import sys
from typing import Any

import psycopg
from django.db import connection

from django_orm_views import PostgresViewFromSQL


def relations(schema: str) -> dict[str, tuple[int, int, str | None, str]]:
    """``{name: (oid, xmin, viewdef, relkind)}`` for every relation in ``schema``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.oid::bigint, c.xmin::text::bigint,
                   CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END, c.relkind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind <> 'i'
            """,
            [schema],
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def rows(query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return list(cursor.fetchall())


def connect_as(
    role: str | None = None, password: str | None = None, dbname: str | None = None
) -> psycopg.Connection[tuple[Any, ...]]:
    """A new session on the test server, as another client would open: as ``role``
    (default: the test's own), on ``dbname`` (default: the test database)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    if role is not None:
        params["user"] = role
        params["password"] = password or ""
    if dbname is not None:
        params["dbname"] = dbname
    return psycopg.connect(**params, autocommit=True)


class Shop:
    """Names of one test's groups, analyst and views."""

    def __init__(self, prefix: str, schema: str) -> None:
        self.prefix = prefix
        self.schema = schema
        self.analyst_group = f"{prefix}analyst"
        self.finance_group = f"{prefix}finance"
        self.analyst = f"{prefix}alice"
        self.password = "correct horse battery staple"


class stdin_text:
    """Context manager: standard input reads ``text`` and a newline."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __enter__(self) -> None:
        self.saved = sys.stdin
        sys.stdin = io.StringIO(self.text + "\n")

    def __exit__(self, *exc: object) -> None:
        sys.stdin = self.saved


def declare_view(schema: str, name: str, sql: str, **attrs: Any) -> type[PostgresViewFromSQL]:
    body = {"sql": sql, "schema": schema, "name": name, "__module__": "tests.user_views", **attrs}
    return type(name.title(), (PostgresViewFromSQL,), body)
