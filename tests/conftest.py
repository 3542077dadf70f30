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
from django.test import override_settings

from django_orm_views import Redact
from django_orm_views.conf import STATE_SCHEMA
from django_orm_views.registry import registry
from tests.helpers import Shop, declare_view, stdin_text
from tests.testapp.factories import CustomerFactory, OrderFactory


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


@pytest.fixture
def shop(role_prefix: str, schema: str) -> Iterator[Shop]:
    """Two groups from ANALYTICS_ROLES, one analyst, and views granted to them."""
    names = Shop(role_prefix, schema)
    roles = {
        names.analyst_group: {"statement_timeout": "30s", "connection_limit": 3},
        names.finance_group: {"statement_timeout": "5min"},
    }
    CustomerFactory.create(email="ada@example.org", full_name="Ada", country="GB")
    OrderFactory.create(customer=CustomerFactory.create(country="FR", full_name="Zed"))
    with override_settings(
        ANALYTICS_ROLES=roles,
        DJANGO_ORM_VIEWS={"SCHEMA": schema, "REDACT_KEY": "tests-only-redact-key"},
    ):
        call_command("sync_roles", stdout=io.StringIO())
        out = io.StringIO()
        with stdin_text(names.password):
            call_command(
                "create_analyst",
                names.analyst,
                "--role",
                names.analyst_group,
                "--password-stdin",
                stdout=out,
            )
        assert "password (shown once)" not in out.getvalue()
        declare_view(
            schema,
            "customers",
            "SELECT id, email, full_name, country FROM testapp_customer",
            grant_to=[names.analyst_group],
            redact={"email": Redact.email(), "id": Redact.hash()},
        )
        declare_view(
            schema,
            "british",
            "SELECT full_name FROM testapp_customer WHERE country = 'GB'",
            grant_to=[names.analyst_group],
        )
        declare_view(
            schema,
            "revenue",
            "SELECT sum(total) AS total FROM testapp_order",
            grant_to=[names.finance_group],
        )
        call_command("sync_views", "--schema", schema, stdout=io.StringIO())
        yield names
