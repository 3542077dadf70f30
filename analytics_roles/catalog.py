"""Reading roles and privileges from the live catalog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django_orm_views.catalog import fetch


@dataclass(frozen=True)
class Role:
    """A role as ``pg_roles`` and its shared comment describe it."""

    name: str
    can_login: bool
    superuser: bool
    createdb: bool
    createrole: bool
    replication: bool
    bypassrls: bool
    connection_limit: int
    comment: str | None
    settings: dict[str, str] = field(default_factory=dict)
    member_of: tuple[str, ...] = ()


def roles(cursor: Any, names: Iterable[str] | None = None) -> dict[str, Role]:
    """Roles by name (all non-system roles when ``names`` is ``None``)."""
    rows = fetch(
        cursor,
        """
        SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole,
               r.rolreplication, r.rolbypassrls, r.rolconnlimit,
               shobj_description(r.oid, 'pg_authid'),
               coalesce((SELECT s.setconfig FROM pg_db_role_setting s
                         WHERE s.setrole = r.oid AND s.setdatabase = 0), '{}'),
               ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                     WHERE m.member = r.oid ORDER BY 1)
        FROM pg_roles r
        WHERE (%s::text[] IS NULL OR r.rolname = ANY(%s::text[])) AND r.rolname !~ '^pg_'
        ORDER BY r.rolname
        """,
        [None if names is None else list(names)] * 2,
    )
    out: dict[str, Role] = {}
    for name, login, su, cdb, crole, repl, bypass, limit, comment, config, groups in rows:
        settings = dict(item.split("=", 1) for item in config)
        out[name] = Role(
            name, login, su, cdb, crole, repl, bypass, limit, comment, settings, tuple(groups)
        )
    return out


def can_create_roles(cursor: Any) -> bool:
    """Whether the connected role may create and alter roles."""
    rows = fetch(
        cursor, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    return bool(rows and rows[0][0])


def schema_create_grants(cursor: Any, grantees: Iterable[str]) -> list[tuple[str, str]]:
    """``(schema, grantee)`` where ``grantee`` (a role or ``PUBLIC``) holds CREATE directly."""
    rows = fetch(
        cursor,
        """
        SELECT n.nspname, coalesce(r.rolname, 'PUBLIC')
        FROM pg_namespace n, aclexplode(n.nspacl) a
        LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE a.privilege_type = 'CREATE'
          AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
          AND coalesce(r.rolname, 'PUBLIC') = ANY(%s)
        ORDER BY 1, 2
        """,
        [["PUBLIC", *grantees]],
    )
    return [(schema, grantee) for schema, grantee in rows]


def database_grants(cursor: Any, privilege: str, grantees: Iterable[str]) -> list[str]:
    """Grantees (roles or ``PUBLIC``) holding ``privilege`` on this database directly.

    A database whose ACL was never changed gives TEMPORARY (and CONNECT) to
    PUBLIC implicitly, which ``acldefault`` spells out.
    """
    rows = fetch(
        cursor,
        """
        SELECT coalesce(r.rolname, 'PUBLIC')
        FROM pg_database d,
             aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
        LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE d.datname = current_database() AND a.privilege_type = %s
          AND coalesce(r.rolname, 'PUBLIC') = ANY(%s)
        ORDER BY 1
        """,
        [privilege, ["PUBLIC", *grantees]],
    )
    return [row[0] for row in rows]


def session_facts(cursor: Any) -> tuple[str, str, bool, bool]:
    """``(current_user, database, is superuser, owns the database)``."""
    rows = fetch(
        cursor,
        """
        SELECT current_user::text, current_database()::text, r.rolsuper,
               d.datdba = r.oid
        FROM pg_roles r, pg_database d
        WHERE r.rolname = current_user AND d.datname = current_database()
        """,
    )
    user, database, superuser, owner = rows[0]
    return user, database, bool(superuser), bool(owner)


def shared_dependencies(cursor: Any, names: Iterable[str]) -> dict[str, int]:
    """How many objects, in any database, each role owns or holds privileges on."""
    rows = fetch(
        cursor,
        """
        SELECT r.rolname, count(d.*)
        FROM pg_roles r LEFT JOIN pg_shdepend d
             ON d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid
            AND d.deptype IN ('o', 'a')
        WHERE r.rolname = ANY(%s)
        GROUP BY r.rolname
        """,
        [list(names)],
    )
    return {name: int(count) for name, count in rows}
