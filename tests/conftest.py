"""Test bed: a real PostgreSQL for the whole session, and helpers to declare views.

``DATABASE_URL`` selects the server when set; otherwise an embedded
PostgreSQL is started in a temporary folder and deleted at exit.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from django_orm_views.conf import STATE_SCHEMA
from django_orm_views.registry import registry


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    from django.conf import settings

    from django_orm_views.devdb import database_settings

    settings.DATABASES["default"].update(database_settings())


@pytest.fixture
def schema(transactional_db: None) -> Iterator[str]:
    """A schema name unique to this test; whatever ends up in it is dropped after."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        cursor.execute("SELECT to_regclass(%s)", [f"{STATE_SCHEMA}.managed_view"])
        if cursor.fetchone()[0]:
            cursor.execute(
                f"DELETE FROM {STATE_SCHEMA}.managed_view WHERE schema_name = %s", [name]
            )


@pytest.fixture(autouse=True)
def _restore_registry() -> Iterator[None]:
    """Views declared inside a test are forgotten after it."""
    before = set(registry)
    yield
    for view in set(registry) - before:
        registry.unregister(view)


@pytest.fixture
def sync(schema: str) -> Callable[..., str]:
    """Run ``sync_views --schema <schema>`` with extra arguments; return its output."""

    def run(*args: str, **options: Any) -> str:
        out = io.StringIO()
        call_command("sync_views", "--schema", schema, *args, stdout=out, **options)
        return out.getvalue()

    return run


@pytest.fixture
def role_prefix(transactional_db: None) -> Iterator[str]:
    """A prefix for role names unique to this test; every role with it is dropped after.

    Roles are global to the cluster, so names must not collide with other
    runs, and nothing may be left behind.
    """
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    yield prefix
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", [prefix])
        names = [row[0] for row in cursor.fetchall()]
        # members first, so groups are free of them
        cursor.execute(
            "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s) AND rolcanlogin",
            [prefix],
        )
        logins = {row[0] for row in cursor.fetchall()}
        for name in sorted(names, key=lambda n: n not in logins):
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')
