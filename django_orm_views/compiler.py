"""Turn view classes into ``ViewDefinition`` s: the one step that needs Django's ORM."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

from django_orm_views.definition import Key, ViewDefinition
from django_orm_views.exceptions import DependencyError, ViewDeclarationError
from django_orm_views.graph import order, read_query
from django_orm_views.views import PostgresView, PostgresViewFromQueryset, PostgresViewFromSQL


def view_sql(view: type[PostgresView], connection: BaseDatabaseWrapper) -> str:
    """The SELECT a view runs, as text.

    SQL views are used exactly as written. A queryset is compiled by Django
    and its parameters bound by psycopg's client-side quoting, since
    PostgreSQL accepts no bind parameters in ``CREATE VIEW``.
    """
    if issubclass(view, PostgresViewFromSQL):
        return view.sql
    if issubclass(view, PostgresViewFromQueryset):
        queryset: Any = view.build_queryset()
        if not isinstance(queryset, QuerySet):
            raise ViewDeclarationError(
                f"{view.label()}: get_queryset() returned {type(queryset).__name__}, not a QuerySet"
            )
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        connection.ensure_connection()
        return str(connection.ops.compose_sql(sql, params))  # type: ignore[attr-defined]
    raise ViewDeclarationError(f"{view.label()}: unknown kind of view")


def build_definitions(
    views: Iterable[type[PostgresView]],
    connection: BaseDatabaseWrapper,
    managed: Iterable[type[PostgresView]],
) -> list[ViewDefinition]:
    """Render ``views`` and return them ordered so dependencies come first.

    Args:
        views: the classes to sync.
        connection: compiles querysets.
        managed: every declared view, to recognise references in SQL.
    """
    known: dict[Key, type[PostgresView]] = {(v.schema, v.name): v for v in managed}
    selected = {(v.schema, v.name): v for v in views}
    definitions: dict[Key, ViewDefinition] = {}
    edges: dict[Key, list[Key]] = {}
    for key, view in selected.items():
        body, relations = read_query(view_sql(view, connection), view.label())
        deps = [rel for rel in sorted(relations) if rel in known]
        for dep in view.dependencies:
            dep_key = (dep.schema, dep.name)
            if known.get(dep_key) is not dep:
                raise DependencyError(
                    f"{view.label()} depends on {dep.__module__}.{dep.__qualname__}, "
                    "which is not a declared view"
                )
            if dep_key not in deps:
                deps.append(dep_key)
        edges[key] = [d for d in deps if d in selected]
        definitions[key] = ViewDefinition(
            schema=view.schema,
            name=view.name,
            label=view.label(),
            body=body,
            comment=view.comment,
            depends_on=tuple(deps),
            grant_to=tuple(view.grant_to),
            reads=frozenset(relations),
            redact=tuple(view.redact.items()),
        )
    labels = {key: view.label() for key, view in selected.items()}
    return [definitions[key] for key in order(edges, labels)]
