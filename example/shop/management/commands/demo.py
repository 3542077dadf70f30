"""``manage.py demo``: migrate, seed, sync the analytics views, and show them.

Safe to re-run: migrations and the seed are idempotent, and a sync with
nothing to change issues no DDL.
"""

import datetime as dt
import hashlib
import hmac
import textwrap
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from psycopg import sql

SCHEMA = "analytics"
ANALYST = "demo_alice"
SAMPLE_ROWS = 3
MAX_CELL = 28

VIEWS = """
    SELECT c.oid, c.relname, c.relkind = 'm', obj_description(c.oid, 'pg_class')
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %s AND c.relkind IN ('v', 'm')
    ORDER BY c.relname
"""
COLUMNS = """
    SELECT attname, pg_catalog.format_type(atttypid, atttypmod)
    FROM pg_catalog.pg_attribute
    WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped
    ORDER BY attnum
"""
READERS = """
    SELECT DISTINCT r.rolname
    FROM pg_catalog.pg_class c
    CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
    JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
    WHERE c.oid = %s AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner
    ORDER BY r.rolname
"""


NEXT_STEPS = """\
  Connect as the analyst (psql; the embedded server trusts local connections,
  so no password is asked; a real server would ask for the one printed above):
      .venv/bin/python example/manage.py dbshell -- -U {analyst}
      => SELECT * FROM customers LIMIT 5;       -- masked
      => SELECT * FROM public.shop_customer;    -- permission denied
  Check the views and the boundary:
      .venv/bin/python example/manage.py sync_views --check
      .venv/bin/python example/manage.py access_report --fail-on-warnings
  Start over: .venv/bin/python example/manage.py drop_analyst {analyst}
              (or stop here and delete example/.pgdata for a new database)
"""


class Command(BaseCommand):
    help = (
        "Run the example end to end: migrate, seed the shop, sync the analytics "
        "views, then print each view with its columns and first rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=200, help="Customers to seed (default 200)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        self._step("Migrating the shop's tables")
        call_command("migrate", interactive=False, verbosity=verbosity)
        self._step("Seeding the shop")
        call_command("seed", customers=options["customers"], verbosity=verbosity)
        # grant_to names roles that must exist: analytics_roles creates them.
        self._step("Creating the analysts' group roles (ANALYTICS_ROLES)")
        call_command("sync_roles", verbosity=verbosity)
        self._step(f"Syncing the views of schema {SCHEMA!r}")
        call_command("sync_views", "--schema", SCHEMA, verbosity=verbosity)
        self._step(f"What schema {SCHEMA!r} holds")
        self._show_schema(DEFAULT_DB_ALIAS)
        self._step("One customer: the shop's row, and what analysts get")
        self._show_raw_and_masked(DEFAULT_DB_ALIAS)
        self._step(f"An analyst: {ANALYST} in group 'analyst'")
        self._provision_analyst(DEFAULT_DB_ALIAS, verbosity)
        self._step(f"access_report --role {ANALYST} (read from the live catalog)")
        call_command("access_report", "--role", ANALYST, stdout=self.stdout)
        self._step("Next")
        self.stdout.write(NEXT_STEPS.format(analyst=ANALYST))

    def _show_raw_and_masked(self, using: str) -> None:
        """The first customer as stored, next to the same customer in analytics.customers.

        The view's id is a keyed hash; computing it here with REDACT_KEY finds
        the row, the way a joined view would.
        """
        columns = ["id", "email", "full_name", "phone", "date_of_birth", "country"]
        listed = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        with connections[using].cursor() as cursor:
            cursor.execute(
                as_string(
                    sql.SQL("SELECT {} FROM shop_customer ORDER BY id LIMIT 1").format(listed),
                    using,
                )
            )
            raw = cursor.fetchone()
            if raw is None:
                self.stdout.write("(no customer)")
                return
            key = settings.DJANGO_ORM_VIEWS["REDACT_KEY"].encode()
            hashed = hmac.new(key, str(raw[0]).encode(), hashlib.sha256).hexdigest()[:32]
            cursor.execute(
                as_string(
                    sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
                        listed, sql.Identifier(SCHEMA, "customers")
                    ),
                    using,
                ),
                [hashed],
            )
            masked = cursor.fetchone()
        header = ["", *columns]
        rows = [("shop_customer", *raw), (f"{SCHEMA}.customers", *(masked or ()))]
        self.stdout.write(format_table(header, rows, indent="  "))

    def _provision_analyst(self, using: str, verbosity: int) -> None:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", [ANALYST])
            exists = cursor.fetchone() is not None
        if exists:
            self.stdout.write(f"{ANALYST} exists already (drop_analyst {ANALYST} to start over)")
            return
        call_command(
            "create_analyst", ANALYST, "--role", "analyst", verbosity=verbosity, stdout=self.stdout
        )

    def _step(self, title: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n== {title}"))

    def _show_schema(self, using: str) -> None:
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(VIEWS, [SCHEMA])
            views = cursor.fetchall()
        if not views:
            self.stdout.write(f"No views in schema {SCHEMA!r}.")
            return
        for oid, name, materialized, comment in views:
            kind = "materialized view" if materialized else "view"
            self.stdout.write(self.style.SQL_TABLE(f"\n{SCHEMA}.{name}") + f"  ({kind})")
            if comment:
                self.stdout.write(f"  {comment.splitlines()[0]}")
            with connection.cursor() as cursor:
                cursor.execute(COLUMNS, [oid])
                columns = cursor.fetchall()
                cursor.execute(READERS, [oid])
                readers = [row[0] for row in cursor.fetchall()]
            described = ", ".join(f"{column} {type_}" for column, type_ in columns)
            self.stdout.write(
                textwrap.fill(
                    described, width=100, initial_indent="  columns: ", subsequent_indent=" " * 11
                )
            )
            self.stdout.write("  readable by: " + (", ".join(readers) or "(no role)"))
            role, header, rows = self._sample(using, name, readers)
            self.stdout.write(f"  first {SAMPLE_ROWS} rows, as {role} sees them:")
            self.stdout.write(format_table(header, rows, indent="    "))
        self._show_boundary(using)

    def _sample(
        self, using: str, view: str, readers: list[str]
    ) -> tuple[str, list[str], list[tuple[Any, ...]]]:
        """Read the first rows as the first role granted the view, else as ourselves."""
        connection = connections[using]
        query = sql.SQL("SELECT * FROM {} ORDER BY 1 LIMIT {}").format(
            sql.Identifier(SCHEMA, view), sql.Literal(SAMPLE_ROWS)
        )
        for role in [*readers[:1], None]:
            try:
                with transaction.atomic(using=using), connection.cursor() as cursor:
                    if role is not None:
                        set_role = sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role))
                        cursor.execute(as_string(set_role, using))
                    cursor.execute(as_string(query, using))
                    header = [column[0] for column in cursor.description]
                    rows = cursor.fetchall()
            except DatabaseError:
                # Not allowed to SET ROLE (not a superuser nor a member): read as ourselves.
                if role is None:
                    raise
                continue
            reader = role or f"{connection.settings_dict['USER']} (the connecting user)"
            return reader, header, rows
        raise AssertionError("unreachable")

    def _show_boundary(self, using: str) -> None:
        """Say whether the analysts' roles can read any of the shop's own tables."""
        tables = [model._meta.db_table for model in apps.get_app_config("shop").get_models()]
        roles = list(getattr(settings, "ANALYTICS_ROLES", {}))
        self._step("The permission boundary")
        with connections[using].cursor() as cursor:
            for role in roles:
                cursor.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone() is None:
                    self.stdout.write(f"role {role}: does not exist")
                    continue
                cursor.execute(
                    "SELECT t FROM unnest(%s::text[]) AS t"
                    " WHERE pg_catalog.has_table_privilege(%s, t::regclass, 'SELECT')",
                    [tables, role],
                )
                readable = [row[0] for row in cursor.fetchall()]
                verdict = (
                    self.style.ERROR("can read " + ", ".join(readable))
                    if readable
                    else self.style.SUCCESS("cannot read any shop table")
                )
                self.stdout.write(f"role {role}: {verdict}")


def as_string(query: sql.Composable, using: str) -> str:
    connections[using].ensure_connection()
    return query.as_string(connections[using].connection)


def cell(value: object) -> str:
    """One value as table text: NULL spelled out, long values cut."""
    if value is None:
        return "NULL"
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "") -> str:
    """A plain-text table: a header, a rule, then one line per row."""
    body = [[cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    lines = [
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
        *(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in body),
    ]
    if not body:
        lines.append("(no rows)")
    return "\n".join(indent + line.rstrip() for line in lines)
