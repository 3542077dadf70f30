"""The whole flow as production runs it: the application's own role, not a superuser,
owning its database, runs sync_roles, create_analyst and sync_views."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.helpers import connect_as

VIEWS = '''
from django_orm_views import PostgresViewFromSQL, Redact


class People(PostgresViewFromSQL):
    """People, masked."""

    grant_to = ["{group}"]
    redact = {{"email": Redact.email(), "id": Redact.hash()}}
    sql = "SELECT id, email, country FROM public.people"
'''

SETTINGS = """
SECRET_KEY = "x"
USE_TZ = True
INSTALLED_APPS = ["django_orm_views", "analytics_roles", "prodviews"]
DATABASES = {{"default": {database!r}}}
DJANGO_ORM_VIEWS = {{"SCHEMA": "analytics", "REDACT_KEY": "production-key"}}
ANALYTICS_ROLES = {{"{group}": {{"statement_timeout": "30s"}}}}
"""


def manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "prodsettings"}
    env.pop("DATABASE_URL", None)
    code = (
        "import sys, django; django.setup(); "
        "from django.core.management import call_command; call_command(*sys.argv[1:])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_a_non_superuser_owner_runs_everything(tmp_path: Path, role_prefix: str) -> None:
    app, group, analyst = (f"{role_prefix}{n}" for n in ("app", "analyst", "alice"))
    database = f"{role_prefix}db"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{app}" LOGIN CREATEROLE')
        cursor.execute(f'CREATE DATABASE "{database}" OWNER "{app}"')
    settings = {**connection.settings_dict, "NAME": database, "USER": app, "PASSWORD": ""}
    settings = {
        k: v
        for k, v in settings.items()
        if k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
    }
    (tmp_path / "prodviews").mkdir()
    (tmp_path / "prodviews" / "__init__.py").write_text("")
    (tmp_path / "prodviews" / "postgres_views.py").write_text(VIEWS.format(group=group))
    (tmp_path / "prodsettings.py").write_text(SETTINGS.format(database=settings, group=group))
    try:
        with connect_as(app, dbname=database) as own:
            own.execute("CREATE TABLE public.people (id bigint, email text, country text)")
            own.execute("INSERT INTO public.people VALUES (1, 'ada@example.org', 'GB')")
        outputs = []
        for args in (
            ("sync_roles",),
            ("create_analyst", analyst, "--role", group),
            ("sync_views", "--schema", "analytics"),
            ("sync_views", "--schema", "analytics"),
            ("sync_views", "--check"),
            ("access_report", "--role", analyst, "--fail-on-warnings"),
        ):
            result = manage(tmp_path, *args)
            assert result.returncode == 0, f"{args}: {result.stderr}"
            outputs.append(result.stdout)
        assert "1 created" in outputs[2]
        assert "0 created, 0 replaced, 0 dropped, 1 unchanged" in outputs[3]
        assert "[redacted: email]" in outputs[5]
        with connect_as(analyst, dbname=database) as alice:
            assert alice.execute("SELECT email, country FROM people").fetchall() == [
                ("a***@example.org", "GB")
            ]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                alice.execute("SELECT * FROM public.people")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                alice.execute("SELECT * FROM django_orm_views.redact_key")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [database],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
