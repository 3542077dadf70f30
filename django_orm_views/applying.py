"""Applying a plan: the only module that changes the database.

Everything runs in one transaction under an advisory lock, so a sync
either lands whole or leaves the database exactly as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import errors as pg_errors
from psycopg import sql

from django_orm_views import catalog, conf, grants
from django_orm_views import sql as render
from django_orm_views.compiler import build_definitions
from django_orm_views.definition import Key, ViewDefinition
from django_orm_views.exceptions import (
    BoundaryError,
    LockTimeoutError,
    MissingRoleError,
    SchemaRefusedError,
    UnmanagedObjectError,
    ViewDeclarationError,
    ViewSQLError,
)
from django_orm_views.identifiers import schema_refusal
from django_orm_views.masking import KEY_TABLE
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
    rebuilt: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    #: Grant and owner changes a ``--check`` run found (they are part of being in sync).
    grant_changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        return not self.plan.has_changes and not self.grant_changes

    def summary(self) -> str:
        verb = "synced" if self.applied else "would change"
        grants = f", {len(self.grant_changes)} grant changes" if self.grant_changes else ""
        return (
            f"{verb}: {len(self.plan.created)} created, {len(self.plan.replaced)} replaced, "
            f"{len(self.plan.drops)} dropped, {len(self.plan.unchanged)} unchanged{grants} "
            f"in {self.seconds:.2f}s"
        )


def hmac_pads(key: str) -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 pads of ``key`` (RFC 2104).

    Storing the pads, not the key, lets stock PostgreSQL compute the HMAC
    with two ``sha256()`` calls; pgcrypto is not needed.
    """
    raw = key.encode()
    if len(raw) > 64:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def key_verifier(key: str) -> str:
    """An HMAC of a fixed text: tells whether the stored key is this one, reveals nothing."""
    return hmac.new(key.encode(), b"django-orm-views: key check", hashlib.sha256).hexdigest()


def sync(
    schemas: Sequence[str] | None = None,
    *,
    using: str = "default",
    dry_run: bool = False,
    check: bool = False,
    force: bool = False,
) -> SyncResult:
    """Make the database match the declared views, in one transaction.

    Args:
        schemas: only these schemas; ``None`` means every schema that has a
            declared view or a view sync created earlier.
        using: database alias.
        dry_run: run the plan and roll it back, returning the SQL it ran.
        check: plan only; run no DDL at all.
        force: replace every managed view even when unchanged.
    """
    started = time.perf_counter()
    connection = connections[using]
    for schema in schemas or ():
        refusal = schema_refusal(schema)
        if refusal:
            raise SchemaRefusedError(refusal)
    all_views = list(registry)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _lock(cursor)
        version = catalog.state_version(cursor)
        if version is not None and version < render.STATE_VERSION:
            cursor.execute(render.upgrade_state_table().as_string(cursor.connection))
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
        check_drops(plan, catalog.dependents(cursor, [d.relation.oid for d in plan.drops]), by_key)
        applier = _Applier(cursor, connection, plan, by_key, sorted(targets))
        applier.validate()
        if check:
            applier.grant_changes = [
                f"{what}: {statement.as_string(cursor.connection)}"
                for what, statement in applier.private_statements() + applier.grant_statements()
            ]
            if not applier.grant_changes:
                applier.verify_boundary()  # what a REVOKE could not fix shows here too
        else:
            applier.apply()
        if dry_run or check:
            transaction.set_rollback(True, using=using)
    seconds = time.perf_counter() - started
    applied = not (dry_run or check)
    return SyncResult(
        plan,
        seconds,
        applied,
        applier.rebuilt,
        applier.log,
        applier.grant_changes,
        applier.warnings,
    )


def _lock(cursor: Any) -> None:
    """Take the sync lock, waiting at most ``LOCK_TIMEOUT``.

    ``lock_timeout`` stays set for the whole transaction, so DDL that
    would queue behind an analyst's long query fails instead of making
    every later query on that view wait behind it.
    """
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [conf.lock_timeout()])
    # Catalog queries are cheap but, on a catalog bloated by much DDL, can look
    # expensive enough for JIT, whose compilation then costs far more than the query.
    cursor.execute("SELECT set_config('jit', 'off', true)")
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


class _Applier:
    """Runs one plan's DDL on one cursor, keeping the SQL it ran."""

    def __init__(
        self,
        cursor: Any,
        connection: BaseDatabaseWrapper,
        plan: Plan,
        definitions: dict[Key, ViewDefinition],
        schemas: Sequence[str] = (),
    ) -> None:
        self.cursor = cursor
        #: the schemas this run syncs, views or not
        self.schemas = list(schemas)
        self.connection = connection
        self.plan = plan
        #: every declared view, in dependency order (rebuilds need readers' definitions)
        self.definitions = definitions
        self.installed: dict[Key, ViewDefinition] = {}
        self.rebuilt: list[str] = []
        self.log: list[str] = []
        self.warnings: list[str] = []
        self.dropped: set[Key] = set()
        #: ``what: statement`` for each grant or owner change (made, or found by --check)
        self.grant_changes: list[str] = []

    # -- checks that run before any DDL -------------------------------------------------

    def validate(self) -> None:
        """Refuse, before any DDL, what can be known to fail.

        Redacted views are described by the server (columns and types) and
        their masks checked, unless they read a view this run creates.
        """
        self._check_roles()
        self._check_boundary()
        installs = [i.definition for i in self.plan.installs]
        if any(d.uses_hash for d in installs) and conf.redact_key() is None:
            label = next(d.label for d in installs if d.uses_hash)
            raise ViewDeclarationError(
                f"{label}: uses Redact.hash() but DJANGO_ORM_VIEWS['REDACT_KEY'] is not set"
            )
        created_now = {d.key for d in installs}
        for definition in installs:
            if definition.redact and not (definition.reads & created_now):
                self._ready(definition, savepoint=True)

    def _check_roles(self) -> None:
        """Every role in ``grant_to`` and ``OWNER_ROLE`` must exist."""
        wanted: dict[str, str] = {}
        for definition in self.selected():
            for role in definition.grant_to:
                wanted.setdefault(role, definition.label)
        owner = conf.owner_role()
        missing = catalog.missing_roles(self.cursor, [*wanted, *([owner] if owner else [])])
        if owner in missing:
            raise MissingRoleError(
                f"DJANGO_ORM_VIEWS['OWNER_ROLE'] is {owner!r}, but no such role exists"
            )
        if owner:
            problem = catalog.owner_problem(self.cursor, owner)
            if problem:
                raise ViewDeclarationError(f"DJANGO_ORM_VIEWS['OWNER_ROLE'] {owner!r} {problem}")
        if missing:
            role = missing[0]
            raise MissingRoleError(
                f"{wanted[role]}: grant_to names role {role!r}, which does not exist; "
                "create it first (./manage.py sync_roles creates the roles in ANALYTICS_ROLES)"
            )
        for schema, role in catalog.writable_search_path(self.cursor, self.readers):
            self.warnings.append(
                f"{role} may create objects in schema {schema!r}, which is on sync's "
                "search_path: an object made there could shadow a name a view reads. "
                f"REVOKE CREATE ON SCHEMA {schema} FROM {role}, or qualify names in views."
            )

    @cached_property
    def readers(self) -> frozenset[str]:
        """The roles in ``grant_to`` of the views this run syncs, and their members."""
        roles = {role for d in self.selected() for role in d.grant_to}
        return frozenset(roles | catalog.members_of(self.cursor, roles))

    @cached_property
    def me(self) -> str:
        """The role running the sync."""
        return catalog.current_user(self.cursor)

    def _check_boundary(self) -> None:
        """Refuse, before any DDL, a set-up where a grantee could undo the masks:
        acting as the views' owner or the schema's owner, or a private schema or
        table that sync did not create itself."""
        readers = self.readers
        owner = conf.owner_role() or self.me
        for reader, role in catalog.inherited_owners(self.cursor, readers, [owner]):
            raise BoundaryError(
                f"role {reader!r} is, or inherits the rights of, {role!r}, which owns the "
                "views; a grantee must not be able to act as their owner (set "
                "DJANGO_ORM_VIEWS['OWNER_ROLE'] to a role no grantee belongs to)"
            )
        owners = catalog.schema_owners(self.cursor, self.schemas)
        for reader, role in catalog.inherited_owners(self.cursor, readers, owners.values()):
            schema = next(s for s, o in sorted(owners.items()) if o == role)
            raise BoundaryError(
                f"schema {schema!r} is owned by {role!r}, and role {reader!r} is or inherits "
                f"it: it could drop and replace the views. ALTER SCHEMA {schema} OWNER TO "
                "the role that runs sync_views"
            )
        me = self.me
        for what, role, superuser in catalog.private_owners(self.cursor):
            if role != me and not superuser:
                raise BoundaryError(
                    f"{what} is owned by {role!r}, not by {me!r}, which runs sync_views; "
                    "the key and the records of managed views must be sync's alone"
                )

    def verify_boundary(self) -> None:
        """After the grants: no grantee, member or PUBLIC may, in effect, create objects
        in a synced schema or use the private schema. A privilege inherited from
        another role, or granted by another grantor, survives a REVOKE; say where."""
        readers = self.readers | {grants.PUBLIC}
        found = catalog.may_create_in(self.cursor, readers, self.schemas)
        if found:
            role, schema = found[0]
            raise BoundaryError(
                f"role {role} may create objects in schema {schema!r} (through a role it "
                "inherits, or a grant made by another role), beside the views it reads; "
                f"revoke that CREATE on schema {schema}, then sync again"
            )
        for role in sorted(readers):
            if catalog.may_use_schema(self.cursor, role, conf.STATE_SCHEMA):
                raise BoundaryError(
                    f"role {role} may use the private schema {conf.STATE_SCHEMA!r}; revoke "
                    "that USAGE (maybe granted to a role it inherits), then sync again"
                )

    def selected(self) -> list[ViewDefinition]:
        """The definitions this run syncs, current versions."""
        keys = [i.definition.key for i in self.plan.installs] + [d.key for d in self.plan.unchanged]
        return [self.definitions[key] for key in keys]

    def _ready(self, definition: ViewDefinition, *, savepoint: bool = False) -> ViewDefinition:
        """``definition`` with its columns described and masks rendered once."""
        definition = self.definitions.get(definition.key, definition)
        if not definition.redact or definition.columns is not None:
            return definition
        try:
            if savepoint:
                with transaction.atomic(using=self.connection.alias):
                    columns = catalog.describe(self.cursor, definition.body)
            else:
                columns = catalog.describe(self.cursor, definition.body)
        except DatabaseError as exc:
            raise _refused(definition, exc) from exc
        definition = dataclasses.replace(definition, columns=columns)
        render.view_query(definition).as_string(self.cursor.connection)  # validates the masks
        self.definitions[definition.key] = definition
        return definition

    # -- applying -----------------------------------------------------------------------

    def _run(self, statement: sql.Composable, definition: ViewDefinition | None = None) -> None:
        text = statement.as_string(self.cursor.connection)
        self.log.append(text)
        try:
            self.cursor.execute(text)
        except DatabaseError as exc:
            if definition is None:
                raise
            raise _refused(definition, exc) from exc

    def apply(self) -> None:
        """Run the plan's DDL and record the result."""
        plan = self.plan
        if plan.create_state_table:
            self._run(render.create_state_table())
        if plan.create_state_table or not catalog.key_table_exists(self.cursor):
            self._run(render.create_key_table())
        self._store_key()
        owner = conf.owner_role()
        for schema in plan.create_schemas:
            self._run(render.create_schema(schema, owner))
        for install in plan.installs:
            if install.definition.key in self.installed:
                continue  # already rebuilt as a reader of an earlier view
            if install.replace:
                self._replace(install)
            else:
                self._install(install.definition)
        for drop in plan.drops:
            if (drop.record.schema, drop.record.name) not in self.dropped:
                self._run(render.drop_view(drop.record.schema, drop.record.name, drop.record.kind))
        # grants of what this run creates are part of "created", not changes
        new = {i.definition.qualified_name for i in self.plan.created}
        new.update(f"schema {schema}" for schema in plan.create_schemas)
        for what, statement in self.private_statements() + self.grant_statements():
            try:
                self._run(statement)
            except DatabaseError as exc:
                raise ViewSQLError(
                    f"{what}: PostgreSQL refused {self.log[-1]!r}: {_message(exc)}"
                ) from exc
            if what not in new:
                self.grant_changes.append(f"{what}: {self.log[-1]}")
        self.verify_boundary()
        self._record()
        self._forget([(d.record.schema, d.record.name) for d in plan.drops] + plan.forget)

    def _install(self, definition: ViewDefinition, *, replace: bool = False) -> None:
        definition = self._ready(definition)
        self._run(
            render.install_view(definition, replace=replace, owner=conf.owner_role()), definition
        )
        self.installed[definition.key] = definition

    def _assert_security_barrier(self, acls: dict[Key, catalog.ViewAcl]) -> None:
        """Every view created or replaced in this run must carry ``security_barrier``.

        Without it PostgreSQL may run a grantee's cheap function on rows the
        view's WHERE clause filters out, leaking them.
        """
        for key, definition in self.installed.items():
            if "security_barrier=true" not in acls[key].options:
                raise ViewSQLError(
                    f"{definition.label}: {definition.qualified_name} lacks security_barrier "
                    "after it was created; nothing was changed"
                )

    def grant_statements(self) -> list[tuple[str, sql.Composed]]:
        """What makes owners and grants exactly what the code says, for existing views.

        Returns ``(what, statement)`` pairs; ``what`` names the view or schema.
        """
        definitions = {d.key: d for d in self.selected()}
        definitions.update(self.installed)  # readers rebuilt in schemas outside --schema too
        acls = catalog.view_acls(self.cursor, list(definitions))
        self._assert_security_barrier(acls)
        owner = conf.owner_role() or self.me
        out: list[tuple[str, sql.Composed]] = []
        by_schema: dict[str, set[str]] = {schema: set() for schema in self.schemas}
        for definition in definitions.values():
            by_schema.setdefault(definition.schema, set()).update(definition.grant_to)
            acl = acls.get(definition.key)
            if acl is None:
                continue  # not created (a --check run)
            name = definition.qualified_name
            if acl.owner != owner:
                out.append((name, render.alter_owner(definition, owner)))
            # the owner's privileges are the owner's, whatever ACL entries it had before
            current = {p for p in acl.privileges if p.grantee != owner}
            for statement in grants.view_statements(
                definition.schema, definition.name, definition.grant_to, current
            ):
                out.append((name, statement))
        existing = catalog.schema_acls(self.cursor, sorted(by_schema))
        restricted = {grants.PUBLIC, *{r for roles in by_schema.values() for r in roles}}
        restricted |= catalog.members_of(self.cursor, restricted - {grants.PUBLIC})
        for schema, roles in sorted(by_schema.items()):
            if schema not in existing:
                continue  # not created yet (a --check run) or gone
            managed = [d.name for d in definitions.values() if d.schema == schema]
            keep = catalog.grantees_of_other_objects(self.cursor, schema, managed)
            current = {p for p in existing[schema] if p.grantee != owner}
            for statement in grants.schema_statements(
                schema, roles, current, keep=keep, restricted=restricted
            ):
                out.append((f"schema {schema}", statement))
        return out

    def _replace(self, install: Install) -> None:
        """``CREATE OR REPLACE`` a view; when PostgreSQL refuses, drop and rebuild it.

        A rebuild drops the managed views that read this one first and
        creates them again after. An object that sync did not create blocks it.
        """
        definition = self._ready(install.definition)
        try:
            with transaction.atomic(using=self.connection.alias):
                self._install(definition, replace=True)
            self._clear_stale_column_comments(definition)
            return
        except ViewSQLError as exc:
            if not isinstance(_pg_error(exc.__cause__ or exc), _NEEDS_REBUILD):
                raise
            self.log.pop()
        oid = catalog.oid_of(self.cursor, definition.key)
        chain: list[ViewDefinition] = []
        leaving = {(d.record.schema, d.record.name): d for d in self.plan.drops}
        dropped_now: list[Key] = []
        for dep in catalog.dependents(self.cursor, [oid]):
            dep_key = (dep.schema, dep.name) if dep.schema and dep.name else None
            if dep_key in leaving and dep.view_oid is not None:
                dropped_now.append(dep_key)  # removed from the code: dropped, not rebuilt
                continue
            dependent = self.definitions.get(dep_key) if dep_key else None
            if dependent is None:
                raise UnmanagedObjectError(
                    f"{definition.label}: {definition.qualified_name} must be dropped and "
                    f"created again (its columns changed), but {dep.description} depends on "
                    "it and was not created by sync_views. Drop or change that object first; "
                    "nothing was changed."
                )
            if dependent not in chain:
                chain.append(dependent)
        rank = {key: i for i, key in enumerate(self.definitions)}
        chain.sort(key=lambda d: rank[d.key])
        drop_order = [
            d.record for d in self.plan.drops if (d.record.schema, d.record.name) in dropped_now
        ]
        for record in drop_order:  # plan.drops is ordered readers first
            self._run(render.drop_view(record.schema, record.name, record.kind))
            self.dropped.add((record.schema, record.name))
        for dependent in reversed(chain):
            self._run(render.drop_view(*dependent.key))
        self._run(render.drop_view(*definition.key))
        for target in [definition, *chain]:
            self._install(target)
            self.rebuilt.append(target.qualified_name)

    def _clear_stale_column_comments(self, definition: ViewDefinition) -> None:
        """Remove "redacted: ..." comments of columns that are no longer redacted.

        ``CREATE OR REPLACE VIEW`` keeps column comments; ones written by
        hand (without the prefix) are left as they are.
        """
        redacted = [column for column, _ in definition.redact]
        for column in catalog.stale_redaction_comments(
            self.cursor, definition.key, redacted, render.REDACTED_PREFIX
        ):
            self._run(
                sql.SQL("COMMENT ON COLUMN {}.{} IS NULL").format(
                    render.qualified(*definition.key), sql.Identifier(column)
                ),
                definition,
            )

    def _store_key(self) -> None:
        """Write the HMAC pads of ``REDACT_KEY`` when the key changed.

        The stored verifier (an HMAC of a fixed text) tells whether the key
        changed without sending anything secret. The pads themselves go
        through COPY, whose data is not written to the server's statement
        log, unlike the parameters of an INSERT.
        """
        key = conf.redact_key()
        if key is None:
            return
        table = render.qualified(conf.STATE_SCHEMA, KEY_TABLE).as_string(self.cursor.connection)
        verifier = key_verifier(key)
        self.cursor.execute(f"SELECT verifier FROM {table}")
        row = self.cursor.fetchone()
        if row is not None and row[0] == verifier:
            return
        ipad, opad = hmac_pads(key)
        self.log.append(f"-- store the HMAC pads of REDACT_KEY in {table} (COPY)")
        self.cursor.execute(f"DELETE FROM {table}")
        with self.cursor.cursor.copy(f"COPY {table} (id, ipad, opad, verifier) FROM STDIN") as copy:
            copy.write_row((True, ipad, opad, verifier))

    def private_statements(self) -> list[tuple[str, sql.Composed]]:
        """Take back any privilege on sync's private schema and tables.

        Only ``OWNER_ROLE`` may use the schema and read the key table (views
        read it as their owner); nobody but the syncing role touches the
        records. A default privilege or a hand-made grant is revoked here.
        """
        owner = conf.owner_role()
        readers = [owner] if owner else []
        me = self.me
        acls = catalog.view_acls(
            self.cursor, [(conf.STATE_SCHEMA, KEY_TABLE), (conf.STATE_SCHEMA, render.STATE_TABLE)]
        )
        out: list[tuple[str, sql.Composed]] = []
        what = f"private schema {conf.STATE_SCHEMA}"
        for (schema, name), acl in sorted(acls.items()):
            current = {p for p in acl.privileges if p.grantee != me}
            allowed = readers if name == KEY_TABLE else []
            out.extend((what, s) for s in grants.view_statements(schema, name, allowed, current))
        existing = catalog.schema_acls(self.cursor, [conf.STATE_SCHEMA]).get(conf.STATE_SCHEMA)
        if existing is not None and acls:
            current = {p for p in existing if p.grantee != me}
            holders = {p.grantee for p in current} | set(readers)
            out.extend(
                (what, s)
                for s in grants.schema_statements(
                    conf.STATE_SCHEMA, readers, current, restricted=holders
                )
            )
        return out

    def _record(self) -> None:
        """Upsert the state rows of views just installed, with their catalog definition."""
        rows = list(self.installed.values())
        if not rows:
            return
        table = render.qualified(conf.STATE_SCHEMA, render.STATE_TABLE).as_string(
            self.cursor.connection
        )
        with catalog.stable_viewdefs(self.cursor):
            self.cursor.execute(
                f"""
                INSERT INTO {table} AS s
                    (schema_name, view_name, kind, class_label, digest, viewdef, view_oid,
                     rule_xmin, columns)
                SELECT t.s, t.v, t.k, t.l, t.d, pg_get_viewdef(c.oid), c.oid::bigint,
                       (SELECT r.xmin::text FROM pg_rewrite r
                        WHERE r.ev_class = c.oid AND r.rulename = '_RETURN'),
                       ARRAY(SELECT a.attname::text FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                             ORDER BY a.attnum)
                FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                     AS t(s, v, k, l, d)
                JOIN pg_namespace n ON n.nspname = t.s
                JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.v
                ON CONFLICT (schema_name, view_name) DO UPDATE SET
                    kind = excluded.kind, class_label = excluded.class_label,
                    digest = excluded.digest, viewdef = excluded.viewdef,
                    view_oid = excluded.view_oid, rule_xmin = excluded.rule_xmin,
                    columns = excluded.columns,
                    synced_at = now()
                """,
                [
                    [d.schema for d in rows],
                    [d.name for d in rows],
                    [d.kind for d in rows],
                    [d.label for d in rows],
                    [d.digest for d in rows],
                ],
            )

    def _forget(self, keys: Sequence[Key]) -> None:
        if not keys:
            return
        table = render.qualified(conf.STATE_SCHEMA, render.STATE_TABLE).as_string(
            self.cursor.connection
        )
        self.cursor.execute(
            f"DELETE FROM {table} WHERE (schema_name, view_name) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[]))",
            [[k[0] for k in keys], [k[1] for k in keys]],
        )
