"""SQL rendering: pure functions from definitions to ``psycopg.sql`` objects.

Identifiers go through ``sql.Identifier`` and values through
``sql.Literal``; a view's body is the only raw text, and it was checked to
be exactly one SELECT by the parser before it gets here.
"""

from __future__ import annotations

from psycopg import sql

from django_orm_views.conf import STATE_SCHEMA
from django_orm_views.definition import ViewDefinition
from django_orm_views.masking import KEY_TABLE, masked_query

STATE_TABLE = "managed_view"
#: Layout version of the state table, kept in its comment so upgrades are one lookup.
STATE_VERSION = 4
STATE_COMMENT = "django-orm-views state v{}"


def qualified(schema: str, name: str) -> sql.Composed:
    """``"schema"."name"``."""
    return sql.SQL(".").join([sql.Identifier(schema), sql.Identifier(name)])


def create_schema(schema: str, owner: str | None = None) -> sql.Composed:
    """``CREATE SCHEMA``, owned by ``owner`` when given."""
    statement = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
    if owner:
        statement += sql.SQL(" AUTHORIZATION {}").format(sql.Identifier(owner))
    return statement


def view_query(definition: ViewDefinition) -> sql.Composable:
    """The SELECT stored in the view: the declared one, wrapped in masks if redacted."""
    if not definition.redact:
        return sql.SQL(definition.body)
    if definition.columns is None:
        raise ValueError(f"{definition.label}: columns must be described before rendering")
    return masked_query(
        definition.body, definition.columns, dict(definition.redact), definition.label
    )


def create_view(definition: ViewDefinition, *, replace: bool = False) -> sql.Composed:
    """``CREATE [OR REPLACE] VIEW ... WITH (options) AS <body>``.

    The body ends on its own line so a trailing ``--`` comment in it cannot
    swallow what follows.
    """
    options: sql.Composable = sql.SQL("")
    if definition.options:
        options = sql.SQL(" WITH ({})").format(
            sql.SQL(", ").join(sql.SQL(option) for option in definition.options)
        )
    return sql.Composed(
        [
            sql.SQL("CREATE OR REPLACE VIEW " if replace else "CREATE VIEW "),
            qualified(definition.schema, definition.name),
            options,
            sql.SQL(" AS\n"),
            view_query(definition),
            sql.SQL("\n"),
        ]
    )


def comment_on_view(definition: ViewDefinition) -> sql.Composed:
    """``COMMENT ON VIEW ... IS '...'`` (or ``IS NULL``)."""
    return sql.SQL("COMMENT ON VIEW {} IS {}").format(
        qualified(definition.schema, definition.name),
        sql.Literal(definition.comment),
    )


def alter_owner(definition: ViewDefinition, owner: str) -> sql.Composed:
    """``ALTER VIEW ... OWNER TO``: views check their tables' privileges as this role."""
    return sql.SQL("ALTER VIEW {} OWNER TO {}").format(
        qualified(definition.schema, definition.name), sql.Identifier(owner)
    )


def drop_view(schema: str, name: str, kind: str = "view") -> sql.Composed:
    """``DROP VIEW``, never ``CASCADE``: dependents are checked before, by name."""
    keyword = "DROP MATERIALIZED VIEW " if kind == "materialized" else "DROP VIEW "
    return sql.SQL(keyword) + qualified(schema, name)


def comment_on_columns(definition: ViewDefinition) -> list[sql.Composed]:
    """``COMMENT ON COLUMN`` for each redacted column, so BI tools show how it is masked."""
    return [
        sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
            qualified(definition.schema, definition.name),
            sql.Identifier(column),
            sql.Literal(f"{REDACTED_PREFIX}{rule.describe()}"),
        )
        for column, rule in definition.redact
    ]


#: Start of the column comments sync writes; only comments starting so are ever cleared.
REDACTED_PREFIX = "redacted: "


def install_view(
    definition: ViewDefinition, *, replace: bool = False, owner: str | None = None
) -> sql.Composed:
    """Every statement that makes one view what its definition says, in one batch."""
    statements = [
        create_view(definition, replace=replace),
        comment_on_view(definition),
        *comment_on_columns(definition),
    ]
    if owner and not replace:
        statements.append(alter_owner(definition, owner))
    return sql.SQL(";\n").join(statements)


def create_state_table() -> sql.Composed:
    """The private table recording which views sync_views created.

    It lives in its own schema, which no role but the syncing one can use,
    so a grantee can neither read nor forge it.
    """
    return sql.SQL(
        "CREATE SCHEMA IF NOT EXISTS {schema};\n"
        "REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;\n"
        "CREATE TABLE IF NOT EXISTS {table} (\n"
        "    schema_name text NOT NULL,\n"
        "    view_name text NOT NULL,\n"
        "    kind text NOT NULL,\n"
        "    class_label text NOT NULL,\n"
        "    digest text NOT NULL,\n"
        "    viewdef text NOT NULL,\n"
        "    view_oid bigint,\n"
        "    rule_xmin text,\n"
        "    columns text[],\n"
        "    synced_at timestamptz NOT NULL DEFAULT now(),\n"
        "    PRIMARY KEY (schema_name, view_name)\n"
        ");\n"
        "REVOKE ALL ON {table} FROM PUBLIC;\n"
        "COMMENT ON TABLE {table} IS {comment}"
    ).format(
        schema=sql.Identifier(STATE_SCHEMA),
        table=qualified(STATE_SCHEMA, STATE_TABLE),
        comment=sql.Literal(STATE_COMMENT.format(STATE_VERSION)),
    )


def upgrade_state_table() -> sql.Composed:
    """Bring a state table made by an earlier version to the current layout."""
    return sql.SQL(
        "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS rule_xmin text;\n"
        "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS columns text[];\n"
        "ALTER TABLE IF EXISTS {key_table} ADD COLUMN IF NOT EXISTS verifier text;\n"
        "COMMENT ON TABLE {table} IS {comment}"
    ).format(
        table=qualified(STATE_SCHEMA, STATE_TABLE),
        key_table=qualified(STATE_SCHEMA, KEY_TABLE),
        comment=sql.Literal(STATE_COMMENT.format(STATE_VERSION)),
    )


def create_key_table() -> sql.Composed:
    """The private one-row table of HMAC pads derived from ``REDACT_KEY``.

    Views read it as their owner; grantees have no privilege on it or its
    schema, and view definitions only name it, so the key never shows in
    ``pg_views``.
    """
    return sql.SQL(
        "CREATE TABLE IF NOT EXISTS {table} (\n"
        "    id boolean PRIMARY KEY DEFAULT true CHECK (id),\n"
        "    ipad bytea NOT NULL,\n"
        "    opad bytea NOT NULL,\n"
        "    verifier text\n"
        ");\n"
        "REVOKE ALL ON {table} FROM PUBLIC"
    ).format(table=qualified(STATE_SCHEMA, KEY_TABLE))
