"""Reading what the database holds: the target schemas and sync's own records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django_orm_views.conf import STATE_SCHEMA
from django_orm_views.definition import Key
from django_orm_views.grants import Privilege
from django_orm_views.masking import Column
from django_orm_views.sql import STATE_TABLE

RELKIND_NAMES = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "i": "index",
    "I": "partitioned index",
    "S": "sequence",
    "f": "foreign table",
    "c": "composite type",
}
VIEW_RELKINDS = {"v": "view", "m": "materialized"}


@dataclass(frozen=True)
class Relation:
    """A relation found in a target schema."""

    schema: str
    name: str
    oid: int
    relkind: str
    viewdef: str | None
    comment: str | None
    options: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def kind_name(self) -> str:
        return RELKIND_NAMES.get(self.relkind, "relation")


@dataclass(frozen=True)
class Record:
    """A row of sync's state table: a view that sync_views created."""

    schema: str
    name: str
    kind: str
    label: str
    digest: str
    viewdef: str
    oid: int | None
    rule_xmin: str | None = None
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Dependent:
    """An object that depends, directly or not, on the view ``root``."""

    root: int
    description: str
    view_oid: int | None
    schema: str | None
    name: str | None


@dataclass
class CatalogState:
    """Everything planning needs to know about the database."""

    state_table_exists: bool
    existing_schemas: set[str]
    relations: dict[Key, Relation] = field(default_factory=dict)
    records: dict[Key, Record] = field(default_factory=dict)


def fetch(cursor: Any, query: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Run ``query`` with bound ``params`` and return all rows."""
    cursor.execute(query, list(params))
    return list(cursor.fetchall())


class stable_viewdefs:
    """Context manager: ``search_path = pg_catalog`` for the transaction's next queries.

    ``pg_get_viewdef`` qualifies names that are not on the search path, so
    reading definitions under one fixed path makes them comparable between
    sessions with different settings.
    """

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.saved = ""

    def __enter__(self) -> None:
        self.saved = fetch(self.cursor, "SELECT current_setting('search_path')")[0][0]
        self.cursor.execute("SELECT set_config('search_path', 'pg_catalog', true)")

    def __exit__(self, *exc: object) -> None:
        self.cursor.execute("SELECT set_config('search_path', %s, true)", [self.saved])


def read_state(cursor: Any, schemas: Iterable[str]) -> CatalogState:
    """Read the target schemas' relations and sync's records of them."""
    schemas = sorted(set(schemas))
    existing = {
        row[0]
        for row in fetch(
            cursor, "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [schemas]
        )
    }
    table_exists = fetch(
        cursor,
        "SELECT to_regclass(%s) IS NOT NULL",
        [f'"{STATE_SCHEMA}"."{STATE_TABLE}"'],
    )[0][0]
    state = CatalogState(state_table_exists=bool(table_exists), existing_schemas=existing)
    if not schemas:
        return state
    if state.state_table_exists:
        rows = fetch(
            cursor,
            f"""
            SELECT schema_name, view_name, kind, class_label, digest, viewdef, view_oid,
                   rule_xmin, columns
            FROM "{STATE_SCHEMA}"."{STATE_TABLE}" WHERE schema_name = ANY(%s)
            """,
            [schemas],
        )
        for schema, name, kind, label, digest, viewdef, oid, rule_xmin, columns in rows:
            state.records[(schema, name)] = Record(
                schema,
                name,
                kind,
                label,
                digest,
                viewdef,
                oid,
                rule_xmin,
                None if columns is None else tuple(columns),
            )
    rows = fetch(
        cursor,
        """
        SELECT n.nspname, c.relname, c.oid::bigint, c.relkind::text, r.xmin::text,
               obj_description(c.oid, 'pg_class'), coalesce(c.reloptions, '{}'),
               CASE WHEN c.relkind IN ('v', 'm') THEN ARRAY(
                   SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   ORDER BY a.attnum) END
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN'
        WHERE n.nspname = ANY(%s) AND c.relkind <> 't'
        """,
        [schemas],
    )
    # A view's _RETURN rule row is rewritten by every CREATE OR REPLACE, so an
    # unchanged xmin proves the definition is the one recorded, without
    # deparsing it; only views whose rule changed are read with pg_get_viewdef.
    unsure: list[int] = []
    found: list[tuple[str, str, int, str, str | None, str | None, list[str], list[str]]] = []
    for schema, name, oid, relkind, rule_xmin, comment, options, columns in rows:
        record = state.records.get((schema, name))
        viewdef = None
        if record is not None and rule_xmin is not None and record.rule_xmin == rule_xmin:
            viewdef = record.viewdef
        elif record is not None and relkind in VIEW_RELKINDS:
            unsure.append(oid)
        found.append((schema, name, oid, relkind, viewdef, comment, options, columns or []))
    viewdefs: dict[int, str] = {}
    if unsure:
        with stable_viewdefs(cursor):
            viewdefs = dict(
                fetch(
                    cursor,
                    "SELECT oid::bigint, pg_get_viewdef(oid) FROM pg_class WHERE oid = ANY(%s)",
                    [unsure],
                )
            )
    for schema, name, oid, relkind, viewdef, comment, options, columns in found:
        state.relations[(schema, name)] = Relation(
            schema,
            name,
            oid,
            relkind,
            viewdef or viewdefs.get(oid),
            comment,
            tuple(options),
            tuple(columns),
        )
    return state


def state_version(cursor: Any) -> int | None:
    """Layout version of sync's state table, or ``None`` when there is none yet."""
    from django_orm_views.sql import STATE_COMMENT

    comment = fetch(
        cursor,
        "SELECT to_regclass(%s) IS NOT NULL, obj_description(to_regclass(%s), 'pg_class')",
        [f'"{STATE_SCHEMA}"."{STATE_TABLE}"'] * 2,
    )[0]
    if not comment[0]:
        return None
    prefix = STATE_COMMENT.format("")
    text = comment[1] or ""
    return int(text[len(prefix) :]) if text.startswith(prefix) else 1


def managed_schemas(cursor: Any) -> set[str]:
    """Schemas where sync's records say it created views."""
    exists = fetch(
        cursor, "SELECT to_regclass(%s) IS NOT NULL", [f'"{STATE_SCHEMA}"."{STATE_TABLE}"']
    )[0][0]
    if not exists:
        return set()
    rows = fetch(cursor, f'SELECT DISTINCT schema_name FROM "{STATE_SCHEMA}"."{STATE_TABLE}"')
    return {row[0] for row in rows}


def django_tables_in(cursor: Any, schemas: Iterable[str], tables: Iterable[str]) -> list[Key]:
    """Which of Django's ``tables`` exist in ``schemas``."""
    return [
        (row[0], row[1])
        for row in fetch(
            cursor,
            """
            SELECT n.nspname, c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')
            ORDER BY 1, 2
            """,
            [sorted(set(schemas)), sorted(set(tables))],
        )
    ]


def dependents(cursor: Any, oids: Iterable[int]) -> list[Dependent]:
    """Objects that depend on the relations ``oids``, directly or through other views.

    Besides views reading them, this finds what a drop would take along
    silently: triggers and rules on the views (automatic dependencies), and
    functions or columns using their row type.
    """
    oids = sorted(set(oids))
    if not oids:
        return []
    rows = fetch(
        cursor,
        """
        WITH RECURSIVE roots AS (
            SELECT oid, reltype FROM pg_class WHERE oid = ANY(%s::oid[])
        ), deps(root, classid, objid, view_oid) AS (
            SELECT roots.oid, d.classid, d.objid, r.ev_class
            FROM roots
            JOIN pg_depend d ON d.deptype IN ('n', 'a') AND (
                   (d.refclassid = 'pg_class'::regclass AND d.refobjid = roots.oid)
                OR (d.refclassid = 'pg_type'::regclass AND d.refobjid = roots.reltype))
            LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
            WHERE NOT (d.classid = 'pg_type'::regclass AND d.objid = roots.reltype)
          UNION
            -- readers of readers, with their triggers, rules and row-type users too
            SELECT deps.root, d.classid, d.objid, r.ev_class
            FROM deps
            JOIN pg_class reader ON reader.oid = deps.view_oid
            JOIN pg_depend d ON d.deptype IN ('n', 'a') AND (
                   (d.refclassid = 'pg_class'::regclass AND d.refobjid = reader.oid)
                OR (d.refclassid = 'pg_type'::regclass AND d.refobjid = reader.reltype))
            LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
            WHERE NOT (d.classid = 'pg_type'::regclass AND d.objid = reader.reltype)
              AND NOT (d.classid = 'pg_rewrite'::regclass AND r.ev_class = reader.oid
                       AND r.rulename = '_RETURN')
        )
        SELECT DISTINCT deps.root::bigint,
               CASE WHEN r.rulename = '_RETURN' THEN deps.view_oid END::bigint,
               CASE WHEN r.rulename = '_RETURN' AND c.relkind = 'm'
                        THEN 'materialized view ' || n.nspname || '.' || c.relname
                    WHEN r.rulename = '_RETURN' THEN 'view ' || n.nspname || '.' || c.relname
                    ELSE pg_describe_object(deps.classid, deps.objid, 0) END,
               CASE WHEN r.rulename = '_RETURN' THEN n.nspname END,
               CASE WHEN r.rulename = '_RETURN' THEN c.relname END
        FROM deps
        LEFT JOIN pg_rewrite r ON deps.classid = 'pg_rewrite'::regclass AND r.oid = deps.objid
        LEFT JOIN pg_class c ON c.oid = deps.view_oid
        LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE deps.view_oid IS DISTINCT FROM deps.root OR r.rulename <> '_RETURN'
        ORDER BY 1, 3
        """,
        [oids],
    )
    return [
        Dependent(root, description, view_oid, schema, name)
        for root, view_oid, description, schema, name in rows
    ]


def describe(cursor: Any, body: str) -> tuple[Column, ...]:
    """The output columns of a query, with exact types, without running it.

    ``LIMIT 0`` returns no row; the row description carries each column's
    type OID and modifier, which ``format_type`` turns into SQL.
    """
    cursor.execute(f"SELECT * FROM (\n{body}\n) AS described LIMIT 0")
    result = cursor.cursor.pgresult
    fields = [
        (result.fname(i).decode(), result.ftype(i), result.fmod(i)) for i in range(result.nfields)
    ]
    # Domains are resolved to their base type: a domain's constraints could
    # reject a masked value. format_type runs with search_path = pg_catalog so
    # that any type outside pg_catalog comes out schema-qualified.
    with stable_viewdefs(cursor):
        rows = fetch(
            cursor,
            """
            WITH RECURSIVE base(i, type_oid, mod) AS (
                SELECT f.i, f.type_oid, f.mod
                FROM unnest(%s::oid[], %s::int[]) WITH ORDINALITY AS f(type_oid, mod, i)
              UNION ALL
                SELECT base.i, t.typbasetype,
                       CASE WHEN base.mod = -1 THEN t.typtypmod ELSE base.mod END
                FROM base JOIN pg_type t ON t.oid = base.type_oid
                WHERE t.typtype = 'd'
            )
            SELECT base.i, format_type(base.type_oid, base.mod), t.typname::text, base.mod
            FROM base JOIN pg_type t ON t.oid = base.type_oid
            WHERE t.typtype <> 'd'
            ORDER BY base.i
            """,
            [[f[1] for f in fields], [f[2] for f in fields]],
        )
    return tuple(
        Column(name, type_sql, base, mod)
        for (name, _oid, _mod), (_i, type_sql, base, mod) in zip(fields, rows, strict=True)
    )


def oid_of(cursor: Any, key: Key) -> int:
    """OID of the relation ``schema.name``."""
    rows = fetch(
        cursor,
        "SELECT c.oid::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        list(key),
    )
    return int(rows[0][0])


def key_table_exists(cursor: Any) -> bool:
    """Whether the private table of HMAC pads exists."""
    from django_orm_views.masking import KEY_TABLE

    rows = fetch(cursor, "SELECT to_regclass(%s) IS NOT NULL", [f'"{STATE_SCHEMA}"."{KEY_TABLE}"'])
    return bool(rows[0][0])


def stale_redaction_comments(
    cursor: Any, key: Key, redacted: Sequence[str], prefix: str
) -> list[str]:
    """Columns of view ``key`` whose comment sync wrote but which are no longer redacted."""
    rows = fetch(
        cursor,
        """
        SELECT a.attname FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass
                             AND d.objsubid = a.attnum
        WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0
          AND starts_with(d.description, %s) AND NOT (a.attname = ANY(%s))
        ORDER BY a.attnum
        """,
        [key[0], key[1], prefix, list(redacted)],
    )
    return [row[0] for row in rows]


@dataclass(frozen=True)
class ViewAcl:
    """Ownership, options and grants of one existing relation."""

    oid: int
    owner: str
    privileges: frozenset[Privilege]
    options: tuple[str, ...]


def view_acls(cursor: Any, keys: Sequence[Key]) -> dict[Key, ViewAcl]:
    """ACLs of the relations ``keys`` that exist (privileges of non-owners only)."""
    if not keys:
        return {}
    rows = fetch(
        cursor,
        """
        SELECT n.nspname, c.relname, c.oid::bigint, pg_get_userbyid(c.relowner)::text,
               coalesce(c.reloptions, '{}'),
               coalesce(r.rolname, 'PUBLIC'), a.privilege_type, a.is_grantable
        FROM unnest(%s::text[], %s::text[]) AS k(s, v)
        JOIN pg_namespace n ON n.nspname = k.s
        JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = k.v
        LEFT JOIN LATERAL (
            SELECT x.grantee, x.privilege_type, x.is_grantable FROM aclexplode(c.relacl) x
            UNION ALL
            -- column privileges (GRANT SELECT (col) ON view) count too
            SELECT x.grantee, x.privilege_type || ' (columns)', x.is_grantable
            FROM pg_attribute att, aclexplode(att.attacl) x
            WHERE att.attrelid = c.oid AND att.attnum > 0
        ) a ON a.grantee <> c.relowner
        LEFT JOIN pg_roles r ON r.oid = a.grantee
        """,
        [[k[0] for k in keys], [k[1] for k in keys]],
    )
    parts: dict[Key, tuple[int, str, set[Privilege], tuple[str, ...]]] = {}
    for schema, name, oid, owner, options, grantee, privilege, grantable in rows:
        entry = parts.setdefault((schema, name), (oid, owner, set(), tuple(options)))
        if privilege is not None:
            entry[2].add(Privilege(grantee, privilege, grantable))
    return {
        key: ViewAcl(oid, owner, frozenset(privileges), options)
        for key, (oid, owner, privileges, options) in parts.items()
    }


def schema_acls(cursor: Any, schemas: Sequence[str]) -> dict[str, set[Privilege]]:
    """Privileges that roles other than the owner hold on each schema."""
    rows = fetch(
        cursor,
        """
        SELECT n.nspname, coalesce(r.rolname, 'PUBLIC'), a.privilege_type, a.is_grantable
        FROM pg_namespace n, aclexplode(n.nspacl) a
        LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE n.nspname = ANY(%s) AND a.grantee <> n.nspowner
        """,
        [list(schemas)],
    )
    found: dict[str, set[Privilege]] = {schema: set() for schema in schemas}
    for schema, grantee, privilege, grantable in rows:
        found[schema].add(Privilege(grantee, privilege, grantable))
    return found


#: SQL that is true when role ``r`` gets the rights of role ``g`` (by inheriting them or
#: by SET ROLE). From PostgreSQL 16 a membership can carry only ADMIN (a CREATEROLE
#: user gets that on every role it creates), which confers no rights at all.
_ACTS_AS = """
    CASE WHEN current_setting('server_version_num')::int >= 160000
         THEN pg_has_role({r}, {g}, 'USAGE') OR pg_has_role({r}, {g}, 'SET')
         ELSE pg_has_role({r}, {g}, 'MEMBER') END
"""


def members_of(cursor: Any, roles: Iterable[str]) -> set[str]:
    """Roles, other than ``roles``, that get the rights of any of them.

    Superusers are left out: they pass every privilege check anyway.
    """
    acts_as = _ACTS_AS.format(r="m.oid", g="g.oid")
    rows = fetch(
        cursor,
        f"""
        SELECT DISTINCT m.rolname FROM pg_roles g, pg_roles m
        WHERE g.rolname = ANY(%s) AND m.oid <> g.oid AND NOT m.rolsuper AND {acts_as}
        """,
        [sorted(set(roles))],
    )
    return {row[0] for row in rows} - set(roles)


def current_user(cursor: Any) -> str:
    return str(fetch(cursor, "SELECT current_user::text")[0][0])


def grantees_of_other_objects(cursor: Any, schema: str, managed: Sequence[str]) -> set[str]:
    """Roles (or PUBLIC) that own or hold privileges on objects in ``schema`` that
    sync does not manage: relations (and their columns), functions and types.
    Their USAGE on the schema is theirs, not sync's to take."""
    rows = fetch(
        cursor,
        """
        WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = %s),
        rels AS (
            SELECT c.oid, c.relowner, c.relacl FROM pg_class c, ns
            WHERE c.relnamespace = ns.oid AND NOT (c.relname = ANY(%s)) AND c.relkind <> 't'
        ),
        holders(role_oid) AS (
            SELECT relowner FROM rels
            UNION SELECT (aclexplode(relacl)).grantee FROM rels
            UNION SELECT (aclexplode(a.attacl)).grantee
                  FROM pg_attribute a JOIN rels ON a.attrelid = rels.oid
            UNION SELECT p.proowner FROM pg_proc p, ns WHERE p.pronamespace = ns.oid
            UNION SELECT (aclexplode(p.proacl)).grantee FROM pg_proc p, ns
                  WHERE p.pronamespace = ns.oid
            UNION SELECT t.typowner FROM pg_type t, ns
                  WHERE t.typnamespace = ns.oid AND t.typrelid = 0
            UNION SELECT (aclexplode(t.typacl)).grantee FROM pg_type t, ns
                  WHERE t.typnamespace = ns.oid AND t.typrelid = 0
        )
        SELECT DISTINCT coalesce(r.rolname, 'PUBLIC')
        FROM holders LEFT JOIN pg_roles r ON r.oid = holders.role_oid
        """,
        [schema, list(managed)],
    )
    return {row[0] for row in rows}


def inherited_owners(
    cursor: Any, readers: Iterable[str], owners: Iterable[str]
) -> list[tuple[str, str]]:
    """``(reader, owner)`` where ``reader`` is, or inherits the rights of, ``owner``."""
    acts_as = _ACTS_AS.format(r="r.name", g="o.name")
    rows = fetch(
        cursor,
        f"""
        SELECT r.name, o.name FROM unnest(%s::text[]) AS r(name), unnest(%s::text[]) AS o(name)
        WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name)
          AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = o.name)
          AND {acts_as}
        ORDER BY 1, 2
        """,
        [sorted(set(readers)), sorted(set(owners))],
    )
    return [(reader, owner) for reader, owner in rows]


def schema_owners(cursor: Any, schemas: Iterable[str]) -> dict[str, str]:
    """Owner of each existing schema among ``schemas``."""
    rows = fetch(
        cursor,
        "SELECT nspname::text, pg_get_userbyid(nspowner)::text FROM pg_namespace "
        "WHERE nspname = ANY(%s)",
        [sorted(set(schemas))],
    )
    return {schema: owner for schema, owner in rows}


def private_owners(cursor: Any) -> list[tuple[str, str, bool]]:
    """``(object, owner, owner is superuser)`` of sync's private schema and tables."""
    from django_orm_views.masking import KEY_TABLE

    rows = fetch(
        cursor,
        """
        SELECT 'schema ' || n.nspname, r.rolname::text, r.rolsuper
        FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = %s
        UNION ALL
        SELECT 'table ' || n.nspname || '.' || c.relname, r.rolname::text, r.rolsuper
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_roles r ON r.oid = c.relowner
        WHERE n.nspname = %s AND c.relname = ANY(%s)
        """,
        [STATE_SCHEMA, STATE_SCHEMA, [STATE_TABLE, KEY_TABLE]],
    )
    return [(what, owner, bool(superuser)) for what, owner, superuser in rows]


def may_create_in(
    cursor: Any, roles: Iterable[str], schemas: Iterable[str]
) -> list[tuple[str, str]]:
    """``(role, schema)`` where ``role`` (or PUBLIC) may, in effect, create objects."""
    rows = fetch(
        cursor,
        """
        SELECT CASE WHEN g.role = 'public' THEN 'PUBLIC' ELSE g.role END, s.nspname
        FROM unnest(%s::text[]) AS g(role), pg_namespace s
        WHERE s.nspname = ANY(%s)
          AND (g.role = 'public' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g.role))
          AND has_schema_privilege(g.role, s.oid, 'CREATE')
        ORDER BY 1, 2
        """,
        [["public", *sorted(set(roles) - {"PUBLIC"})], sorted(set(schemas))],
    )
    return [(role, schema) for role, schema in rows]


def missing_roles(cursor: Any, roles: Iterable[str]) -> list[str]:
    """Which of ``roles`` do not exist."""
    wanted = sorted(set(roles))
    if not wanted:
        return []
    rows = fetch(cursor, "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [wanted])
    return sorted(set(wanted) - {row[0] for row in rows})


def writable_search_path(cursor: Any, roles: Iterable[str]) -> list[tuple[str, str]]:
    """``(schema, role)`` where ``role`` (or PUBLIC) may create objects in a schema on
    this session's search path: such objects could shadow the names view bodies use."""
    rows = fetch(
        cursor,
        """
        SELECT s.nspname, g.role
        FROM unnest(current_schemas(false)) AS s(nspname),
             unnest(%s::text[]) AS g(role)
        WHERE has_schema_privilege(g.role, s.nspname, 'CREATE')
        ORDER BY 1, 2
        """,
        [["public", *sorted(set(roles))]],
    )
    return [(schema, "PUBLIC" if role == "public" else role) for schema, role in rows]


def owner_problem(cursor: Any, role: str) -> str | None:
    """Why ``role`` must not own analysts' views, or ``None``.

    A view reads its tables with its owner's rights: a superuser or
    BYPASSRLS owner would skip row-level security on them, and an owner
    that can log in is a password away from every base table.
    """
    rows = fetch(
        cursor,
        "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
        [role],
    )
    superuser, bypassrls, login = rows[0]
    if superuser:
        return "is a superuser; use a NOLOGIN role that may only read the views' tables"
    if bypassrls:
        return "has BYPASSRLS; views owned by it would skip row-level security"
    if login:
        return "can log in; the owner of analysts' views should be a NOLOGIN role"
    return None


def effective_owner_is_superuser(cursor: Any, owner: str | None) -> tuple[str, bool]:
    """The role that owns new views (``owner`` or the connected role) and whether it is
    a superuser."""
    rows = fetch(
        cursor,
        "SELECT rolname::text, rolsuper FROM pg_roles WHERE rolname = coalesce(%s, current_user)",
        [owner],
    )
    return (rows[0][0], bool(rows[0][1])) if rows else (owner or "", False)


def may_use_schema(cursor: Any, role: str, schema: str) -> bool:
    """Whether ``role`` (or PUBLIC) has, in effect, USAGE on ``schema`` (False if absent)."""
    rows = fetch(
        cursor,
        """
        SELECT has_schema_privilege(%s, n.oid, 'USAGE') FROM pg_namespace n
        WHERE n.nspname = %s
          AND (%s = 'PUBLIC' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s))
        """,
        ["public" if role == "PUBLIC" else role, schema, role, role],
    )
    return bool(rows and rows[0][0])
