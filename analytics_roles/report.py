"""The access report: who can read what, read from the live catalog, not the code.

For each role: the views and columns it can read (and which are redacted,
and how, from the column comments sync writes), and warnings for anything
that breaks the boundary.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from analytics_roles import conf
from django_orm_views import catalog
from django_orm_views import conf as views_conf
from django_orm_views.catalog import fetch
from django_orm_views.sql import REDACTED_PREFIX, STATE_TABLE

SYSTEM_SCHEMAS_SQL = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
#: Predefined roles that read (or write) around every privilege check.
BROAD_ROLES = ("pg_read_all_data", "pg_write_all_data", "pg_read_all_stats")


@dataclass
class ColumnAccess:
    name: str
    type: str
    redacted: bool
    redaction: str | None


@dataclass
class ViewAccess:
    schema: str
    name: str
    kind: str
    managed: bool
    columns: list[ColumnAccess] = field(default_factory=list)


@dataclass
class Finding:
    """A way the role's access breaks the boundary."""

    code: str
    object: str
    message: str


@dataclass
class RoleReport:
    role: str
    login: bool
    member_of: list[str]
    views: list[ViewAccess] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def managed_schemas(cursor: Any) -> list[str]:
    """Schemas holding views sync created, plus the configured default schema."""
    return sorted({views_conf.schema(), *catalog.managed_schemas(cursor)})


def report_roles(cursor: Any, schemas: list[str]) -> list[str]:
    """Analyst groups and logins, and every other role granted something in ``schemas``."""
    rows = fetch(
        cursor,
        """
        SELECT r.rolname FROM pg_roles r
        WHERE r.rolname = ANY(%s)
           OR shobj_description(r.oid, 'pg_authid') IN (%s, %s)
           OR EXISTS (
               SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                      aclexplode(c.relacl) a
               WHERE n.nspname = ANY(%s) AND a.grantee = r.oid AND a.grantee <> c.relowner)
        ORDER BY 1
        """,
        [list(conf.groups()), conf.GROUP_MARKER, conf.ANALYST_MARKER, schemas],
    )
    return [r[0] for r in rows]


def build(cursor: Any, roles: list[str] | None = None) -> list[RoleReport]:
    """One report per role (``roles``, or every analyst role found)."""
    schemas = managed_schemas(cursor)
    table = f'"{views_conf.STATE_SCHEMA}"."{STATE_TABLE}"'
    managed: set[tuple[str, str]] = set()
    if fetch(cursor, "SELECT to_regclass(%s) IS NOT NULL", [table])[0][0]:
        managed = {(s, v) for s, v in fetch(cursor, f"SELECT schema_name, view_name FROM {table}")}
    names = roles if roles is not None else report_roles(cursor, schemas)
    return [_role_report(cursor, name, schemas, managed) for name in names]


def _role_report(
    cursor: Any, role: str, schemas: list[str], managed: set[tuple[str, str]]
) -> RoleReport:
    info = fetch(
        cursor,
        """
        SELECT r.rolcanlogin, r.rolsuper, r.rolbypassrls,
               ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                     WHERE m.member = r.oid ORDER BY 1)
        FROM pg_roles r WHERE r.rolname = %s
        """,
        [role],
    )
    if not info:
        raise LookupError(f"role {role!r} does not exist")
    login, superuser, bypassrls, member_of = info[0]
    report = RoleReport(role, bool(login), list(member_of))
    warn = report.warnings.append
    if superuser:
        warn(Finding("superuser", role, f"{role} is a superuser: it bypasses every privilege"))
    if bypassrls:
        warn(Finding("bypassrls", role, f"{role} has BYPASSRLS: row-level security skips it"))

    readable = fetch(
        cursor,
        f"""
        SELECT n.nspname, c.relname, c.relkind::text, c.oid, n.nspname = ANY(%s)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND {SYSTEM_SCHEMAS_SQL}
          AND has_any_column_privilege(%s, c.oid, 'SELECT')
        ORDER BY 1, 2
        """,
        [schemas, role],
    )
    for schema, name, relkind, oid, in_managed in readable:
        qualified = f"{schema}.{name}"
        kind = {"v": "view", "m": "materialized view"}.get(relkind, "table")
        if not in_managed:
            warn(
                Finding(
                    "outside-schema",
                    qualified,
                    f"{role} can read {kind} {qualified}, outside the analytics schemas",
                )
            )
            continue
        if kind == "table":
            warn(Finding("base-table", qualified, f"{role} can read base table {qualified}"))
        view = ViewAccess(schema, name, kind, (schema, name) in managed)
        for column, type_sql, comment in fetch(
            cursor,
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod),
                   col_description(a.attrelid, a.attnum)
            FROM pg_attribute a
            WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
              AND has_column_privilege(%s, a.attrelid, a.attnum, 'SELECT')
            ORDER BY a.attnum
            """,
            [oid, role],
        ):
            redacted = bool(comment and comment.startswith(REDACTED_PREFIX))
            how = comment[len(REDACTED_PREFIX) :] if redacted else None
            view.columns.append(ColumnAccess(column, type_sql, redacted, how))
        report.views.append(view)

    for (schema,) in fetch(
        cursor,
        f"""
        SELECT n.nspname FROM pg_namespace n
        WHERE {SYSTEM_SCHEMAS_SQL} AND has_schema_privilege(%s, n.oid, 'CREATE')
        ORDER BY 1
        """,
        [role],
    ):
        warn(Finding("create", schema, f"{role} can create objects in schema {schema}"))
    [(create_schema, temporary)] = fetch(
        cursor,
        "SELECT has_database_privilege(%s, current_database(), 'CREATE'),"
        " has_database_privilege(%s, current_database(), 'TEMPORARY')",
        [role, role],
    )
    if create_schema:
        warn(Finding("create-schema", "database", f"{role} can create schemas in the database"))
    if temporary:
        warn(
            Finding(
                "temporary",
                "database",
                f"{role} can create temporary objects (TEMPORARY on the database)",
            )
        )
    for kind, name in fetch(
        cursor,
        """
        SELECT 'relation', n.nspname || '.' || c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
        WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s) AND a.is_grantable
        UNION
        SELECT 'schema', n.nspname FROM pg_namespace n, aclexplode(n.nspacl) a
        WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s) AND a.is_grantable
        ORDER BY 1, 2
        """,
        [role, role],
    ):
        warn(Finding("grant-option", name, f"{role} may grant its privileges on {kind} {name}"))
    for (broad,) in fetch(
        cursor,
        "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) AND pg_has_role(%s, oid, 'MEMBER')"
        " ORDER BY 1",
        [list(BROAD_ROLES), role],
    ):
        warn(Finding("predefined-role", broad, f"{role} is a member of {broad}"))
    for schema, objtype, privilege, grantee in fetch(
        cursor,
        """
        SELECT coalesce(n.nspname, '(all schemas)'), d.defaclobjtype::text, a.privilege_type,
               coalesce(r.rolname, 'PUBLIC')
        FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace,
             aclexplode(d.defaclacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE (n.nspname = ANY(%s) OR d.defaclnamespace = 0)
          AND (a.grantee = 0 OR pg_has_role(%s, a.grantee, 'MEMBER'))
        ORDER BY 1, 2, 3
        """,
        [schemas, role],
    ):
        what = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}
        warn(
            Finding(
                "default-privileges",
                schema,
                f"default privileges in {schema} give {privilege} on new "
                f"{what.get(objtype, objtype)} to {grantee}",
            )
        )
    return report


def as_json(reports: list[RoleReport]) -> str:
    return json.dumps([asdict(r) for r in reports], indent=2)


def as_text(reports: list[RoleReport]) -> str:
    lines: list[str] = []
    for report in reports:
        groups = f" (member of {', '.join(report.member_of)})" if report.member_of else ""
        kind = "login role" if report.login else "group role"
        lines.append(f"{report.role}: {kind}{groups}")
        if not report.views:
            lines.append("  reads no view")
        for view in report.views:
            lines.append(
                f"  {view.schema}.{view.name}" + ("" if view.managed else " (not managed)")
            )
            for column in view.columns:
                note = f"  [redacted: {column.redaction}]" if column.redacted else ""
                lines.append(f"    {column.name} {column.type}{note}")
        for finding in report.warnings:
            lines.append(f"  WARNING {finding.code}: {finding.message}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_markdown(reports: list[RoleReport]) -> str:
    lines = ["# Access report", ""]
    for report in reports:
        kind = "login role" if report.login else "group role"
        lines.append(f"## `{report.role}` ({kind})")
        if report.member_of:
            lines.append(f"Member of: {', '.join(f'`{g}`' for g in report.member_of)}")
        lines.append("")
        if report.views:
            lines += ["| view | column | type | redaction |", "|---|---|---|---|"]
            for view in report.views:
                for column in view.columns:
                    how = column.redaction if column.redacted else "-"
                    lines.append(
                        f"| `{view.schema}.{view.name}` | `{column.name}` | {column.type} | {how} |"
                    )
        else:
            lines.append("Reads no view.")
        if report.warnings:
            lines += ["", "**Warnings**", ""]
            lines += [f"- `{f.code}`: {f.message}" for f in report.warnings]
        lines.append("")
    return "\n".join(lines)
