"""The permission boundary, tested as real analysts: LOGIN roles made by create_analyst,
connecting on their own sessions and trying to read and do what they must not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError
from django.db import connection
from django.test import override_settings
from psycopg import errors

from tests.helpers import Shop, connect_as, declare_view, relations, rows

Sync = Callable[..., str]


def denied(conn: psycopg.Connection[Any], statement: str) -> None:
    """``statement`` must fail for lack of privilege (or read-only transaction)."""
    with pytest.raises((errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
        conn.execute(statement)


def test_analyst_reads_granted_views_with_masks(shop: Shop) -> None:
    with connect_as(shop.analyst, shop.password) as alice:
        assert alice.execute("SHOW search_path").fetchone() == (shop.schema,)
        assert alice.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert alice.execute("SHOW statement_timeout").fetchone() == ("30s",)
        # unqualified names resolve to the analytics schema
        customers = alice.execute(
            "SELECT email, full_name, country FROM customers ORDER BY country"
        ).fetchall()
        assert ("a***@example.org", "Ada", "GB") in customers
        ids = [r[0] for r in alice.execute("SELECT id FROM customers").fetchall()]
        assert all(len(i) == 32 for i in ids)
        assert alice.execute("SELECT full_name FROM british").fetchall() == [("Ada",)]


def test_analyst_is_denied_everything_else(shop: Shop) -> None:
    with connect_as(shop.analyst, shop.password) as alice:
        denied(alice, "SELECT * FROM public.testapp_customer")
        denied(alice, "SELECT * FROM public.django_migrations")
        denied(alice, f"SELECT * FROM {shop.schema}.revenue")  # the finance group's view
        denied(alice, "SELECT * FROM django_orm_views.redact_key")
        denied(alice, "SELECT * FROM django_orm_views.managed_view")
        denied(alice, "SELECT * FROM pg_catalog.pg_authid")


def test_analyst_cannot_create_write_or_grant(shop: Shop) -> None:
    schema = shop.schema
    with connect_as(shop.analyst, shop.password) as alice:
        alice.execute("SET default_transaction_read_only = off")  # even without read-only
        for statement in [
            f"CREATE TABLE {schema}.mine (x int)",
            f"CREATE VIEW {schema}.mine AS SELECT 1",
            f"CREATE FUNCTION {schema}.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TABLE public.mine (x int)",
            "CREATE VIEW public.mine AS SELECT 1",
            "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TEMP TABLE mine (x int)",
            "CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "INSERT INTO public.testapp_customer (full_name) VALUES ('x')",
            "UPDATE public.testapp_customer SET full_name = 'x'",
            "DELETE FROM public.testapp_customer",
            f"DROP VIEW {schema}.customers",
            f"ALTER VIEW {schema}.customers RENAME TO c",
            f"CREATE SCHEMA {shop.prefix}evil",
        ]:
            denied(alice, statement)
        # PostgreSQL answers a GRANT without grant option with a warning, not an error
        warnings: list[str] = []
        alice.add_notice_handler(lambda d: warnings.append(d.message_primary or ""))
        alice.execute(f"GRANT SELECT ON {schema}.customers TO {shop.finance_group}")
        assert warnings == ['no privileges were granted for "customers"']
        alice.execute("RESET default_transaction_read_only")
        denied(alice, f"INSERT INTO {schema}.british VALUES ('x')")
        denied(alice, f"UPDATE {schema}.british SET full_name = 'x'")
    # and the finance group got nothing from the attempt
    assert rows(
        "SELECT has_table_privilege(%s, %s, 'SELECT')",
        [shop.finance_group, f"{schema}.customers"],
    ) == [(False,)]


def test_leaky_function_cannot_see_rows_a_view_filters_out(shop: Shop, sync: Sync) -> None:
    """The classic attack on views without security_barrier: a cheap function in the
    WHERE clause runs before the view's own filter and leaks every row it sees."""
    leak = f"public.{shop.prefix}leak"
    with connection.cursor() as cursor:  # made by a superuser: the worst case for us
        cursor.execute(
            f"CREATE FUNCTION {leak}(text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS "
            "$$ BEGIN RAISE NOTICE 'leak: %', $1; RETURN true; END $$"
        )
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {leak}(text) TO PUBLIC")

    def notices() -> list[str]:
        seen: list[str] = []
        with connect_as(shop.analyst, shop.password) as alice:
            alice.add_notice_handler(lambda d: seen.append(d.message_primary or ""))
            alice.execute(f"SELECT * FROM british WHERE {leak}(full_name)").fetchall()
        return seen

    try:
        assert notices() == ["leak: Ada"]  # only the row the view lets through
        # replaced (a new column): still a barrier
        from django_orm_views.registry import registry

        view = registry.get(shop.schema, "british")
        assert view is not None
        view.sql = "SELECT full_name, country FROM testapp_customer WHERE country = 'GB'"  # type: ignore[attr-defined]
        with override_settings(DJANGO_ORM_VIEWS={"REDACT_KEY": "tests-only-redact-key"}):
            sync()
        assert notices() == ["leak: Ada"]
        assert rows(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
            [f"{shop.schema}.british"],
        ) == [(["security_barrier=true"],)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP FUNCTION {leak}(text)")


def test_analyst_cannot_read_the_redaction_key(shop: Shop) -> None:
    with connect_as(shop.analyst, shop.password) as alice:
        definitions = " ".join(
            r[0] or "" for r in alice.execute("SELECT definition FROM pg_views").fetchall()
        )
        assert "tests-only-redact-key" not in definitions
        assert b"tests-only-redact-key".hex() not in definitions
        denied(alice, "SELECT ipad FROM django_orm_views.redact_key")
        assert alice.execute(
            "SELECT has_schema_privilege('django_orm_views', 'USAGE')"
        ).fetchone() == (False,)


def test_access_follows_grant_to_and_hand_grants_are_revoked(shop: Shop, sync: Sync) -> None:
    from django_orm_views.registry import registry

    with connection.cursor() as cursor:  # a DBA grants a view by hand
        cursor.execute(f"GRANT SELECT ON {shop.schema}.revenue TO {shop.analyst_group}")
        cursor.execute(
            f"GRANT SELECT ON {shop.schema}.british TO {shop.analyst_group} WITH GRANT OPTION"
        )
    with pytest.raises(CommandError, match="not in sync"):
        sync("--check")
    with connect_as(shop.analyst, shop.password) as alice:
        assert alice.execute("SELECT total FROM revenue").fetchall()
    sync()
    with connect_as(shop.analyst, shop.password) as alice:
        denied(alice, "SELECT total FROM revenue")
        assert alice.execute("SELECT full_name FROM british").fetchall() == [("Ada",)]
    # the grant option is gone too
    assert rows(
        "SELECT has_table_privilege(%s, %s, 'SELECT WITH GRANT OPTION')",
        [shop.analyst_group, f"{shop.schema}.british"],
    ) == [(False,)]
    assert sync("--check")

    view = registry.get(shop.schema, "british")
    assert view is not None
    view.grant_to = []
    sync()
    with connect_as(shop.analyst, shop.password) as alice:
        denied(alice, "SELECT full_name FROM british")
        assert alice.execute("SELECT count(*) FROM customers").fetchone() == (2,)
    customers = registry.get(shop.schema, "customers")
    assert customers is not None
    customers.grant_to = []
    sync()
    # no view left for the group: its USAGE on the schema goes too
    assert rows(
        "SELECT has_schema_privilege(%s, %s, 'USAGE')", [shop.analyst_group, shop.schema]
    ) == [(False,)]


def test_grants_survive_a_rebuild(shop: Shop, sync: Sync) -> None:
    from django_orm_views.registry import registry

    view = registry.get(shop.schema, "british")
    assert view is not None
    oid = relations(shop.schema)["british"][0]
    view.sql = "SELECT 1 AS full_name"  # type: ignore[attr-defined]  # text -> int: rebuilt
    sync()
    assert relations(shop.schema)["british"][0] != oid
    with connect_as(shop.analyst, shop.password) as alice:
        assert alice.execute("SELECT full_name FROM british").fetchall() == [(1,)]


def test_missing_role_and_injection_attempts_change_nothing(shop: Shop, sync: Sync) -> None:
    before = relations(shop.schema)
    declare_view(shop.schema, "new_view", "SELECT 1 AS n", grant_to=["analyst; DROP TABLE x; --"])
    with pytest.raises(CommandError, match=r"'analyst; DROP TABLE x; --', which does not exist"):
        sync()
    declare_view(shop.schema, "new_view", "SELECT 1 AS n", grant_to=[f"{shop.prefix}nobody"])
    with pytest.raises(CommandError, match="sync_roles"):
        sync()
    assert relations(shop.schema) == before
    assert rows("SELECT to_regclass('testapp_order') IS NOT NULL") == [(True,)]


def test_owner_role_owns_the_views_which_still_work(shop: Shop, sync: Sync) -> None:
    from django_orm_views.checks import check_database

    owner = f"{shop.prefix}owner"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{owner}" NOLOGIN')
        cursor.execute(f'GRANT SELECT ON testapp_customer, testapp_order TO "{owner}"')
    settings = {"REDACT_KEY": "tests-only-redact-key", "OWNER_ROLE": owner}
    assert [m.id for m in check_database(databases=["default"])] == ["django_orm_views.W020"]
    with override_settings(DJANGO_ORM_VIEWS=settings):
        assert check_database(databases=["default"]) == []
        sync()
        assert "in sync" in sync("--check")
    owners = rows(
        "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
        [shop.schema],
    )
    assert owners == [(owner,)]
    with connect_as(shop.analyst, shop.password) as alice:
        ids = alice.execute("SELECT id FROM customers").fetchall()
        assert len(ids) == 2
        assert all(len(i[0]) == 32 for i in ids)  # the owner reads the key table


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [("LOGIN", "can log in"), ("SUPERUSER", "superuser"), ("BYPASSRLS", "BYPASSRLS")],
)
def test_unsafe_owner_role_is_refused(
    shop: Shop, sync: Sync, attributes: str, problem: str
) -> None:
    owner = f"{shop.prefix}owner"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{owner}" {attributes}')
    before = relations(shop.schema)
    with (
        override_settings(DJANGO_ORM_VIEWS={"REDACT_KEY": "k", "OWNER_ROLE": owner}),
        pytest.raises(CommandError, match=problem),
    ):
        sync("--force")
    assert relations(shop.schema) == before


def test_column_grants_and_schema_create_given_by_hand_are_revoked(shop: Shop, sync: Sync) -> None:
    bob = f"{shop.prefix}bob"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{bob}"')
        cursor.execute(f'GRANT SELECT (country) ON {shop.schema}.customers TO "{bob}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA {shop.schema} TO "{bob}"')
        cursor.execute(f'GRANT CREATE ON SCHEMA {shop.schema} TO "{shop.analyst}"')
    with pytest.raises(CommandError, match="not in sync"):
        sync("--check")
    output = sync("-v", "2")
    assert "grant changes" in output
    assert rows(
        "SELECT has_any_column_privilege(%s, %s, 'SELECT'),"
        " has_schema_privilege(%s, %s, 'CREATE'), has_schema_privilege(%s, %s, 'USAGE')",
        [bob, f"{shop.schema}.customers", shop.analyst, shop.schema, bob, shop.schema],
    ) == [(False, False, False)]
    assert "in sync" in sync("--check")


def test_security_barrier_removed_by_hand_is_put_back(shop: Shop, sync: Sync) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER VIEW {shop.schema}.british RESET (security_barrier)")
    with pytest.raises(CommandError, match="not in sync"):
        sync("--check")
    assert "1 replaced" in sync()
    assert rows(
        "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [f"{shop.schema}.british"]
    ) == [(["security_barrier=true"],)]


def test_grantees_must_not_be_able_to_act_as_an_owner(shop: Shop, sync: Sync) -> None:
    # an owner role the analysts belong to
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER ROLE "{shop.analyst_group}" NOLOGIN')
    with (
        override_settings(DJANGO_ORM_VIEWS={"REDACT_KEY": "k", "OWNER_ROLE": shop.analyst_group}),
        pytest.raises(CommandError, match=r"inherits the rights of.*which owns the views"),
    ):
        sync("--force")
    # a schema owned by a role an analyst inherits
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA {shop.schema} OWNER TO "{shop.analyst_group}"')
    try:
        with pytest.raises(CommandError, match=rf"schema '{shop.schema}' is owned by"):
            sync()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SCHEMA {shop.schema} OWNER TO CURRENT_USER")
    sync()


def test_create_inherited_from_another_role_fails_the_sync(shop: Shop, sync: Sync) -> None:
    writers = f"{shop.prefix}writers"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{writers}"')
        cursor.execute(f'GRANT "{writers}" TO "{shop.analyst}"')
        cursor.execute(f'GRANT CREATE ON SCHEMA {shop.schema} TO "{writers}"')
    with pytest.raises(CommandError, match=rf"{shop.analyst} may create objects in schema"):
        sync()
    with pytest.raises(CommandError, match="may create objects"):
        sync("--check")
    with connection.cursor() as cursor:
        cursor.execute(f'REVOKE CREATE ON SCHEMA {shop.schema} FROM "{writers}"')
    sync()


def test_private_tables_made_by_another_role_are_refused(shop: Shop, sync: Sync) -> None:
    etl = f"{shop.prefix}etl"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{etl}"')
        cursor.execute(f'ALTER TABLE django_orm_views.redact_key OWNER TO "{etl}"')
    try:
        with pytest.raises(CommandError, match=rf"redact_key is owned by '{etl}'"):
            sync()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE django_orm_views.redact_key OWNER TO CURRENT_USER")


def test_usage_of_owners_of_hand_made_objects_is_left_alone(shop: Shop, sync: Sync) -> None:
    etl = f"{shop.prefix}etl"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{etl}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA {shop.schema} TO "{etl}"')
        cursor.execute(f"CREATE TABLE {shop.schema}.scratch (x int)")
        cursor.execute(f'ALTER TABLE {shop.schema}.scratch OWNER TO "{etl}"')
    sync()
    assert rows("SELECT has_schema_privilege(%s, %s, 'USAGE')", [etl, shop.schema]) == [(True,)]
