"""Applying a plan: the only module that changes the database.

Everything runs in one transaction under an advisory lock, so a sync
either lands whole or leaves the database exactly as it was.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import errors as pg_errors
from psycopg import sql

from django_orm_views import catalog, conf
from django_orm_views import sql as render
from django_orm_views.compiler import build_definitions
from django_orm_views.definition import Key, ViewDefinition
from django_orm_views.exceptions import (
    LockTimeoutError,
    SchemaRefusedError,
    UnmanagedObjectError,
    ViewSQLError,
)
from django_orm_views.identifiers import schema_refusal
from django_orm_views.planning import Install, Plan, check_drops, make_plan
from django_orm_views.registry import registry

#: Key of the transaction-level advisory lock that serialises syncs.
LOCK_KEY = zlib.crc32(b"django_orm_views.sync")

#: Errors of ``CREATE OR REPLACE VIEW`` that mean "drop and create instead":
#: PostgreSQL only lets a replacement append columns, never rename, retype or remove one.
_NEEDS_REBUILD = (pg_errors.InvalidTableDefinition, pg_errors.FeatureNotSupported)


@dataclass
class SyncResult:
    """What a sync did (or, for a dry run, would do)."""

    plan: Plan
    seconds: float
    applied: bool
    rebuilt: list[str]

    def summary(self) -> str:
        verb = "would change" if not self.applied else "synced"
        return (
            f"{verb}: {len(self.plan.created)} created, {len(self.plan.replaced)} replaced, "
            f"{len(self.plan.drops)} dropped, {len(self.plan.unchanged)} unchanged "
            f"in {self.seconds:.2f}s"
        )


def _pg_error(exc: BaseException) -> BaseException:
    """The psycopg error Django wrapped, or ``exc`` itself."""
    cause = exc.__cause__
    return cause if isinstance(cause, pg_errors.Error) else exc


def _message(exc: BaseException) -> str:
    error = _pg_error(exc)
    if isinstance(error, pg_errors.Error) and error.diag.message_primary:
        parts = [error.diag.message_primary]
        if error.diag.message_detail:
            parts.append(f"DETAIL: {error.diag.message_detail}")
        if error.diag.message_hint:
            parts.append(f"HINT: {error.diag.message_hint}")
        return " ".join(parts)
    return str(error).strip()


def sync(
    schemas: Sequence[str] | None = None,
    *,
    using: str = "default",
    dry_run: bool = False,
    force: bool = False,
) -> SyncResult:
    """Make the database match the declared views, in one transaction.

    Args:
        schemas: only these schemas; ``None`` means every schema that has a
            declared view or a view sync created earlier.
        using: database alias.
        dry_run: plan only; change nothing.
        force: replace every managed view even when unchanged.
    """
    started = time.perf_counter()
    connection = connections[using]
    for schema in schemas or ():
        refusal = schema_refusal(schema)
        if refusal:
            raise SchemaRefusedError(refusal)
    all_views = list(registry)
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            _lock(cursor)
            if schemas is None:
                targets = {v.schema for v in all_views} | catalog.managed_schemas(cursor)
            else:
                targets = set(schemas)
            _refuse_django_schemas(cursor, connection, targets)
            all_definitions = build_definitions(all_views, connection, all_views)
            by_key = {d.key: d for d in all_definitions}
            selected = [d for d in all_definitions if d.schema in targets]
            state = catalog.read_state(cursor, targets)
            plan = make_plan(selected, state, force=force)
            check_drops(
                plan, catalog.dependents(cursor, [d.relation.oid for d in plan.drops]), by_key
            )
            rebuilt: list[str] = []
            if not dry_run:
                rebuilt = _apply(cursor, connection, plan, by_key)
        if dry_run:
            transaction.set_rollback(True, using=using)
    return SyncResult(plan, time.perf_counter() - started, not dry_run, rebuilt)


def _lock(cursor: Any) -> None:
    """Take the sync lock, waiting at most ``LOCK_TIMEOUT``.

    ``lock_timeout`` stays set for the whole transaction, so DDL that
    would queue behind an analyst's long query fails instead of making
    every later query on that view wait behind it.
    """
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [conf.lock_timeout()])
    try:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    except DatabaseError as exc:
        if isinstance(_pg_error(exc), pg_errors.LockNotAvailable):
            raise LockTimeoutError(
                f"another sync_views holds the lock; gave up after LOCK_TIMEOUT "
                f"({conf.lock_timeout()})"
            ) from exc
        raise


def _refuse_django_schemas(
    cursor: Any, connection: BaseDatabaseWrapper, schemas: Iterable[str]
) -> None:
    tables = [*connection.introspection.django_table_names(), "django_migrations"]
    found = catalog.django_tables_in(cursor, schemas, tables)
    if found:
        schema, table = found[0]
        raise SchemaRefusedError(
            f"schema {schema!r} holds Django tables ({table}); managed views need a "
            "schema of their own"
        )


def _refused(definition: ViewDefinition, exc: BaseException) -> Exception:
    """The error to raise when PostgreSQL refuses a view's DDL, naming its class."""
    if isinstance(_pg_error(exc), pg_errors.LockNotAvailable):
        return LockTimeoutError(
            f"{definition.label}: could not lock {definition.qualified_name} within "
            f"LOCK_TIMEOUT ({conf.lock_timeout()}); a long query may be reading it"
        )
    return ViewSQLError(
        f"{definition.label}: PostgreSQL refused view {definition.qualified_name}: {_message(exc)}"
    )


def _execute(cursor: Any, statement: sql.Composable, definition: ViewDefinition) -> None:
    """Run one view's DDL, naming its class if PostgreSQL refuses it."""
    text = statement.as_string(cursor.connection)
    try:
        cursor.execute(text)
    except DatabaseError as exc:
        raise _refused(definition, exc) from exc


def _apply(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    plan: Plan,
    definitions: dict[Key, ViewDefinition],
) -> list[str]:
    """Run the plan's DDL and record the result; return the views rebuilt."""
    if plan.create_state_table:
        cursor.execute(render.create_state_table().as_string(cursor.connection))
    for schema in plan.create_schemas:
        cursor.execute(render.create_schema(schema).as_string(cursor.connection))
    installed: dict[Key, ViewDefinition] = {}
    rebuilt: list[str] = []
    for install in plan.installs:
        if install.definition.key in installed:
            continue  # already rebuilt as a dependent of an earlier view
        if install.replace:
            _replace(cursor, connection, install, definitions, installed, rebuilt)
        else:
            _execute(cursor, render.install_view(install.definition), install.definition)
            installed[install.definition.key] = install.definition
    for drop in plan.drops:
        cursor.execute(
            render.drop_view(drop.record.schema, drop.record.name, drop.record.kind).as_string(
                cursor.connection
            )
        )
    _record(cursor, installed.values())
    _forget(cursor, [(d.record.schema, d.record.name) for d in plan.drops] + plan.forget)
    return rebuilt


def _replace(
    cursor: Any,
    connection: BaseDatabaseWrapper,
    install: Install,
    definitions: dict[Key, ViewDefinition],
    installed: dict[Key, ViewDefinition],
    rebuilt: list[str],
) -> None:
    """``CREATE OR REPLACE`` a view; when PostgreSQL refuses, drop and rebuild it.

    A rebuild drops the managed views that read this one first and creates
    them again after. An object that sync did not create blocks it.
    """
    definition = install.definition
    try:
        with transaction.atomic(using=connection.alias):
            cursor.execute(
                render.install_view(definition, replace=True).as_string(cursor.connection)
            )
        installed[definition.key] = definition
        return
    except DatabaseError as exc:
        if not isinstance(_pg_error(exc), _NEEDS_REBUILD):
            raise _refused(definition, exc) from exc
    oid = _oid(cursor, definition.key)
    chain: list[ViewDefinition] = []
    for dep in catalog.dependents(cursor, [oid]):
        dep_key = (dep.schema, dep.name) if dep.schema and dep.name else None
        dependent = definitions.get(dep_key) if dep_key else None
        if dependent is None:
            raise UnmanagedObjectError(
                f"{definition.label}: {definition.qualified_name} must be dropped and "
                f"created again (its columns changed), but {dep.description} depends on it "
                "and was not created by sync_views. Drop or change that object first; "
                "nothing was changed."
            )
        if dependent not in chain:
            chain.append(dependent)
    # definitions are in dependency order: drop readers first, create them last
    rank = {key: i for i, key in enumerate(definitions)}
    chain.sort(key=lambda d: rank[d.key])
    for dependent in reversed(chain):
        cursor.execute(render.drop_view(*dependent.key).as_string(cursor.connection))
    cursor.execute(render.drop_view(*definition.key).as_string(cursor.connection))
    for target in [definition, *chain]:
        _execute(cursor, render.install_view(target), target)
        installed[target.key] = target
        rebuilt.append(target.qualified_name)


def _oid(cursor: Any, key: Key) -> int:
    cursor.execute(
        "SELECT c.oid::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        list(key),
    )
    return int(cursor.fetchone()[0])


def _record(cursor: Any, definitions: Iterable[ViewDefinition]) -> None:
    """Upsert the state rows of views just installed, with their catalog definition."""
    rows = list(definitions)
    if not rows:
        return
    table = render.qualified(conf.STATE_SCHEMA, render.STATE_TABLE).as_string(cursor.connection)
    with catalog.stable_viewdefs(cursor):
        cursor.execute(
            f"""
            INSERT INTO {table} AS s
                (schema_name, view_name, kind, class_label, digest, viewdef, view_oid)
            SELECT t.s, t.v, t.k, t.l, t.d, pg_get_viewdef(c.oid), c.oid::bigint
            FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                 AS t(s, v, k, l, d)
            JOIN pg_namespace n ON n.nspname = t.s
            JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.v
            ON CONFLICT (schema_name, view_name) DO UPDATE SET
                kind = excluded.kind, class_label = excluded.class_label,
                digest = excluded.digest, viewdef = excluded.viewdef,
                view_oid = excluded.view_oid, synced_at = now()
            """,
            [
                [d.schema for d in rows],
                [d.name for d in rows],
                [d.kind for d in rows],
                [d.label for d in rows],
                [d.digest for d in rows],
            ],
        )


def _forget(cursor: Any, keys: Sequence[Key]) -> None:
    if not keys:
        return
    table = render.qualified(conf.STATE_SCHEMA, render.STATE_TABLE).as_string(cursor.connection)
    cursor.execute(
        f"DELETE FROM {table} WHERE (schema_name, view_name) IN "
        "(SELECT * FROM unnest(%s::text[], %s::text[]))",
        [[k[0] for k in keys], [k[1] for k in keys]],
    )
