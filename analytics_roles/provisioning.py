"""Provisioning analysts' roles: plan the statements, then run them in one transaction.

Group roles are NOLOGIN and carry no attributes; each analyst is a LOGIN
role in one group, read-only by default, with the group's timeouts. Roles
these commands create are marked with a shared comment, so ``--prune`` and
``drop_analyst`` only ever touch their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from psycopg import sql

from analytics_roles import catalog, conf
from analytics_roles.catalog import Role
from django_orm_views import conf as views_conf


class RolesError(Exception):
    """A provisioning request that cannot be carried out; the message says why."""


ATTRIBUTES = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


@dataclass
class RolePlan:
    """Statements that bring the roles in line with ``ANALYTICS_ROLES``."""

    statements: list[tuple[str, sql.Composed]] = field(default_factory=list)

    def add(self, why: str, statement: sql.Composed) -> None:
        self.statements.append((why, statement))


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _grantee(name: str) -> sql.Composable:
    return sql.SQL("PUBLIC") if name == "PUBLIC" else sql.Identifier(name)


#: Per-login settings these commands manage; others set by hand are left alone.
MANAGED_SETTINGS = frozenset(
    {
        "default_transaction_read_only",
        "search_path",
        "statement_timeout",
        "idle_in_transaction_session_timeout",
    }
)


def _settings_statements(
    role: str, wanted: Mapping[str, str], current: Mapping[str, str]
) -> list[sql.Composed]:
    out: list[sql.Composed] = []
    for key in sorted((MANAGED_SETTINGS & set(current)) - set(wanted)):
        out.append(sql.SQL("ALTER ROLE {} RESET {}").format(_ident(role), sql.Identifier(key)))
    for key, value in sorted(wanted.items()):
        if current.get(key) != value:
            out.append(
                sql.SQL("ALTER ROLE {} SET {} = {}").format(
                    _ident(role), sql.Identifier(key), sql.Literal(value)
                )
            )
    return out


def analyst_settings(group: conf.GroupSpec) -> dict[str, str]:
    """Per-login settings of an analyst: read-only, the analytics schema, the group's limits."""
    return {
        "default_transaction_read_only": "on",
        "search_path": views_conf.schema(),
        **group.session_settings(),
    }


def plan_roles(
    specs: Mapping[str, conf.GroupSpec],
    current: Mapping[str, Role],
    *,
    create_grants: list[tuple[str, str]],
    temp_grantees: list[str],
    database_create_grantees: Sequence[str] = (),
    session: tuple[str, str, bool, bool],
    prune: bool = False,
    adopt: bool = False,
    protected: frozenset[str] = frozenset(),
    dependencies: Mapping[str, int] | None = None,
) -> RolePlan:
    """Pure planning of ``sync_roles``; a second run on its result plans nothing.

    Raises:
        RolesError: a declared group names a role these commands did not
            create (without ``adopt``), or one that must never become a group:
            a superuser, the role running the command, ``OWNER_ROLE``.
    """
    plan = RolePlan()
    for name, spec in sorted(specs.items()):
        role = current.get(name)
        if role is not None and (role.superuser or name in protected):
            raise RolesError(
                f"ANALYTICS_ROLES names {name!r}, a superuser, the role running this "
                "command or OWNER_ROLE; it can never be an analysts' group"
            )
        if role is not None and role.comment != conf.GROUP_MARKER:
            held = (dependencies or {}).get(name, 0)
            if adopt and (role.member_of or held):
                raise RolesError(
                    f"role {name!r} cannot be adopted: it is a member of "
                    f"{', '.join(role.member_of) or 'no role'} and owns or holds privileges on "
                    f"{held} object(s); analysts would inherit all of it. Remove those first."
                )
            if not adopt:
                raise RolesError(
                    f"role {name!r} exists and was not created by sync_roles; rename the "
                    "group, or run sync_roles --adopt to make it an analysts' group "
                    "(NOLOGIN, no attributes)"
                )
            plan.add(
                f"adopt group {name}",
                sql.SQL("COMMENT ON ROLE {} IS {}").format(
                    _ident(name), sql.Literal(conf.GROUP_MARKER)
                ),
            )
        if role is None:
            plan.add(
                f"create group {name}",
                sql.SQL("CREATE ROLE {} NOLOGIN " + ATTRIBUTES).format(_ident(name)),
            )
            plan.add(
                f"mark group {name}",
                sql.SQL("COMMENT ON ROLE {} IS {}").format(
                    _ident(name), sql.Literal(conf.GROUP_MARKER)
                ),
            )
            continue
        # only the attributes that differ: a non-superuser with CREATEROLE may not
        # even mention SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE
        drop = [
            keyword
            for held, keyword in (
                (role.can_login, "NOLOGIN"),
                (role.superuser, "NOSUPERUSER"),
                (role.createdb, "NOCREATEDB"),
                (role.createrole, "NOCREATEROLE"),
                (role.replication, "NOREPLICATION"),
                (role.bypassrls, "NOBYPASSRLS"),
            )
            if held
        ]
        if drop:
            plan.add(
                f"group {name} must not log in or hold attributes",
                sql.SQL("ALTER ROLE {} " + " ".join(drop)).format(_ident(name)),
            )
        for analyst in current.values():
            if analyst.comment != conf.ANALYST_MARKER or name not in analyst.member_of:
                continue
            for statement in _settings_statements(
                analyst.name, analyst_settings(spec), analyst.settings
            ):
                plan.add(f"analyst {analyst.name} of {name}", statement)
            if analyst.connection_limit != spec.connection_limit:
                plan.add(
                    f"analyst {analyst.name} of {name}",
                    sql.SQL("ALTER ROLE {} CONNECTION LIMIT {}").format(
                        _ident(analyst.name), sql.Literal(spec.connection_limit)
                    ),
                )
    # Analysts must not create objects anywhere, nor temporary ones.
    for schema, grantee in create_grants:
        plan.add(
            f"{grantee} must not create objects in schema {schema}",
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(
                sql.Identifier(schema), _grantee(grantee)
            ),
        )
    user, database, superuser, owns_database = session
    for grantee in database_create_grantees:
        plan.add(
            f"{grantee} must not create schemas",
            sql.SQL("REVOKE CREATE ON DATABASE {} FROM {}").format(
                sql.Identifier(database), _grantee(grantee)
            ),
        )
    for grantee in temp_grantees:
        plan.add(
            f"{grantee} must not create temporary objects",
            sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM {}").format(
                sql.Identifier(database), _grantee(grantee)
            ),
        )
        if grantee == "PUBLIC" and not (superuser or owns_database):
            plan.add(
                f"keep temporary objects for {user}, which had them through PUBLIC",
                sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(
                    sql.Identifier(database), _ident(user)
                ),
            )
    if prune:
        for role in sorted(current.values(), key=lambda r: r.name):
            if role.comment == conf.GROUP_MARKER and role.name not in specs:
                plan.add(
                    f"prune group {role.name}", sql.SQL("DROP ROLE {}").format(_ident(role.name))
                )
    return plan


def sync_roles(
    *, using: str = "default", dry_run: bool = False, prune: bool = False, adopt: bool = False
) -> RolePlan:
    """Create or alter the groups of ``ANALYTICS_ROLES`` and harden the database."""
    specs = conf.groups()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        _require_createrole(cursor)
        current = catalog.roles(cursor)
        members = [r.name for r in current.values() if r.comment == conf.ANALYST_MARKER]
        grantees = [*specs, *members]
        session = catalog.session_facts(cursor)
        owner = views_conf.owner_role()
        plan = plan_roles(
            specs,
            current,
            create_grants=catalog.schema_create_grants(cursor, grantees),
            temp_grantees=catalog.database_grants(cursor, "TEMPORARY", grantees),
            database_create_grantees=catalog.database_grants(cursor, "CREATE", grantees),
            session=session,
            prune=prune,
            adopt=adopt,
            protected=frozenset({session[0], *([owner] if owner else [])}),
            dependencies=catalog.shared_dependencies(cursor, list(specs)),
        )
        if not dry_run:
            for _why, statement in plan.statements:
                cursor.execute(statement.as_string(cursor.connection))
            _verify_hardening(cursor, grantees)
    return plan


def _verify_hardening(cursor: Any, grantees: list[str]) -> None:
    """Fail (and roll back) when a REVOKE did nothing.

    PostgreSQL answers a REVOKE by a role that does not own the object with
    a warning, not an error, and leaves the privilege in place.
    """
    left = [
        f"CREATE on schema {schema} for {who}"
        for schema, who in catalog.schema_create_grants(cursor, grantees)
    ]
    left += [
        f"TEMPORARY on the database for {who}"
        for who in catalog.database_grants(cursor, "TEMPORARY", grantees)
    ]
    left += [
        f"CREATE on the database for {who}"
        for who in catalog.database_grants(cursor, "CREATE", grantees)
    ]
    if left:
        raise RolesError(
            f"could not revoke {'; '.join(left)}: run sync_roles as the owner of those "
            "schemas and of the database, or as a superuser; nothing was changed"
        )


def _require_createrole(cursor: Any) -> None:
    if not catalog.can_create_roles(cursor):
        raise RolesError(
            "the database role these commands run as needs CREATEROLE "
            "(ALTER ROLE <it> CREATEROLE, as a superuser)"
        )


@dataclass(frozen=True)
class NewAnalyst:
    name: str
    group: str
    password: str | None  # set when it was generated, to be shown once


def create_analyst(
    name: str, group: str, *, password: str | None = None, using: str = "default"
) -> NewAnalyst:
    """Create a LOGIN role in ``group``; a password is generated unless given.

    The password reaches the server only as a SCRAM-SHA-256 verifier computed
    here by libpq, so neither the server's logs nor ``pg_stat_activity`` see it.
    """
    specs = conf.groups()
    if group not in specs:
        declared = ", ".join(sorted(specs)) or "none"
        raise RolesError(f"group {group!r} is not in ANALYTICS_ROLES (declared: {declared})")
    generated = password is None
    secret = secrets.token_urlsafe(24) if password is None else password
    if not secret:
        raise RolesError("the password is empty")
    spec = specs[group]
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _require_createrole(cursor)
        existing = catalog.roles(cursor, [name, group])
        if name in existing:
            raise RolesError(f"role {name!r} already exists")
        if group not in existing:
            raise RolesError(f"group role {group!r} does not exist yet; run ./manage.py sync_roles")
        if existing[group].comment != conf.GROUP_MARKER:
            raise RolesError(
                f"role {group!r} was not created by sync_roles; analysts join only groups "
                "it made (see sync_roles --adopt)"
            )
        verifier = cursor.connection.pgconn.encrypt_password(
            secret.encode(), name.encode(), b"scram-sha-256"
        ).decode()
        statements = [
            sql.SQL(
                "CREATE ROLE {} LOGIN INHERIT "
                + ATTRIBUTES
                + " CONNECTION LIMIT {} PASSWORD {} IN ROLE {}"
            ).format(
                _ident(name),
                sql.Literal(spec.connection_limit),
                sql.Literal(verifier),
                _ident(group),
            ),
            sql.SQL("COMMENT ON ROLE {} IS {}").format(
                _ident(name), sql.Literal(conf.ANALYST_MARKER)
            ),
            *_settings_statements(name, analyst_settings(spec), {}),
        ]
        for statement in statements:
            cursor.execute(statement.as_string(cursor.connection))
    return NewAnalyst(name, group, secret if generated else None)


def drop_analyst(name: str, *, using: str = "default") -> None:
    """Drop a login role that ``create_analyst`` made; refuse any other role."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        _require_createrole(cursor)
        role = catalog.roles(cursor, [name]).get(name)
        if role is None:
            raise RolesError(f"role {name!r} does not exist")
        if role.comment != conf.ANALYST_MARKER:
            raise RolesError(f"role {name!r} was not created by create_analyst; left alone")
        cursor.execute(sql.SQL("DROP ROLE {}").format(_ident(name)).as_string(cursor.connection))


def list_analysts(*, using: str = "default") -> list[Role]:
    """Login roles made by ``create_analyst``, with their groups."""
    with connections[using].cursor() as cursor:
        return [r for r in catalog.roles(cursor).values() if r.comment == conf.ANALYST_MARKER]
