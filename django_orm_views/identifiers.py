"""Checks for the names users give to views, schemas, columns and roles.

Names are always quoted when rendered into SQL; these checks exist so a
name PostgreSQL would silently truncate (over 63 bytes) or that analysts
would have to quote by hand fails early, with the offending value named.
"""

from __future__ import annotations

import re

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1; longer names are truncated by PostgreSQL

_SIMPLE = re.compile(r"[a-z_][a-z0-9_]*\Z")
_DURATION = re.compile(r"\d+\s*(us|ms|s|min|h|d)?\Z")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """``OrdersPerCountry`` -> ``orders_per_country``; ``HTTPLogs`` -> ``http_logs``."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def identifier_problem(value: object) -> str | None:
    """Why ``value`` is not a plain lower-case identifier, or ``None`` if it is."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if len(value.encode()) > MAX_IDENTIFIER_BYTES:
        return f"is longer than {MAX_IDENTIFIER_BYTES} bytes"
    if not _SIMPLE.match(value):
        return "must start with a lower-case letter or '_' and hold only a-z, 0-9 and '_'"
    return None


def role_problem(value: object) -> str | None:
    """Why ``value`` cannot be a role to grant to, or ``None``.

    Role names may use any characters (they are quoted), but not the
    ``PUBLIC`` pseudo-role nor the reserved ``pg_`` prefix.
    """
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value.encode()) > MAX_IDENTIFIER_BYTES:
        return f"is longer than {MAX_IDENTIFIER_BYTES} bytes"
    if "\x00" in value:
        return "must not contain NUL"
    if value.lower() == "public":
        return "is PUBLIC: views are never granted to every role"
    if value.startswith("pg_"):
        return "uses the 'pg_' prefix reserved for PostgreSQL's own roles"
    return None


def schema_refusal(schema: str) -> str | None:
    """Why ``schema`` may never hold managed views, or ``None``."""
    from django_orm_views.conf import STATE_SCHEMA

    if schema in ("public", "information_schema", STATE_SCHEMA) or schema.startswith("pg_"):
        return f"schema {schema!r} is reserved and cannot hold managed views"
    return None


def is_duration(value: object) -> bool:
    """Whether ``value`` is a PostgreSQL duration setting such as ``"5s"`` or ``"500ms"``."""
    return isinstance(value, str) and bool(_DURATION.match(value.strip()))
