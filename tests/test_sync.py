"""sync_views against a real PostgreSQL: creation, order, no-op, drops and safety."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import CommandError
from django.db import connection

from django_orm_views import PostgresViewFromQueryset, PostgresViewFromSQL
from django_orm_views.exceptions import ViewDeclarationError
from tests.helpers import relations, rows
from tests.testapp.factories import CustomerFactory, OrderFactory
from tests.testapp.models import Customer

Sync = Callable[..., str]


def test_sql_and_queryset_views_return_the_right_rows(schema: str, sync: Sync) -> None:
    gb = CustomerFactory.create(country="GB", full_name="Ada O'Brien")
    OrderFactory.create_batch(2, customer=gb)
    OrderFactory(customer=CustomerFactory(country="FR"))
    CustomerFactory(country="DE", created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    target = schema

    class PerCountry(PostgresViewFromSQL):
        """Orders per country."""

        schema = target
        sql = """
            SELECT c.country, count(*) AS orders
            FROM testapp_order o JOIN testapp_customer c ON c.id = o.customer_id
            WHERE c.full_name LIKE 'A%' OR c.id % 1 = 0   -- '%' needs no escaping
            GROUP BY c.country
        """

    class Recent(PostgresViewFromQueryset):
        schema = target

        @classmethod
        def get_queryset(cls):
            since = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
            return Customer.objects.filter(
                created_at__gte=since, full_name__startswith="Ada O'"
            ).values("id", "full_name", "country")

    output = sync()
    assert "2 created, 0 replaced, 0 dropped, 0 unchanged" in output
    assert rows(f'SELECT country, orders FROM "{schema}".per_country ORDER BY 1') == [
        ("FR", 1),
        ("GB", 2),
    ]
    assert rows(f'SELECT id, full_name, country FROM "{schema}".recent') == [
        (gb.id, "Ada O'Brien", "GB")
    ]
    assert rows(
        "SELECT obj_description(%s::regclass, 'pg_class')", [f'"{schema}".per_country']
    ) == [("Orders per country.",)]
    definition = relations(schema)["recent"][2]
    assert definition is not None
    assert "Ada O''" in definition  # the value was bound as a literal, quote escaped


def declare(schema: str, name: str, sql: str, **attrs: object) -> type[PostgresViewFromSQL]:
    """Declare a SQL view in ``schema`` the way a user's module would."""
    body: dict[str, object] = {
        "sql": sql,
        "schema": schema,
        "name": name,
        "__module__": "tests.user_views",
        **attrs,
    }
    cls_name = "".join(part.title() for part in name.split("_"))
    return type(cls_name, (PostgresViewFromSQL,), body)


def test_view_declared_before_the_view_it_reads_is_created_after_it(
    schema: str, sync: Sync
) -> None:
    declare(schema, "top", f'SELECT n FROM "{schema}".middle WHERE n > 1')
    declare(schema, "middle", f"SELECT n FROM {schema}.base")
    declare(schema, "base", "SELECT generate_series(1, 3) AS n")
    assert "3 created" in sync()
    assert rows(f"SELECT n FROM {schema}.top ORDER BY n") == [(2,), (3,)]


def test_explicit_dependencies_order_views(schema: str, sync: Sync) -> None:
    # the reader names the base unqualified, through search_path: only
    # `dependencies` tells sync the order
    reader = declare(schema, "reader", "SELECT n FROM base")
    base = declare(schema, "base", "SELECT 1 AS n")
    reader.dependencies = [base]
    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {schema}, public")
    try:
        sync()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET search_path")
    assert rows(f"SELECT n FROM {schema}.reader") == [(1,)]


def test_cycle_is_refused_before_any_ddl(schema: str, sync: Sync) -> None:
    declare(schema, "a", f"SELECT * FROM {schema}.b")
    declare(schema, "b", f"SELECT * FROM {schema}.a")
    with pytest.raises(CommandError, match=r"cycle: tests\.user_views\.(A|B) -> "):
        sync()
    assert rows("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]) == []


def test_unknown_dependency_is_refused_before_any_ddl(schema: str, sync: Sync) -> None:
    class NotRegistered(PostgresViewFromSQL):
        abstract = True
        sql = "SELECT 1"

    declare(schema, "orphan", "SELECT 1", dependencies=[])
    with pytest.raises(ViewDeclarationError, match="not a managed view class"):
        declare(schema, "reader", "SELECT 1", dependencies=[NotRegistered])
    assert rows("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]) == []


def test_failing_view_leaves_the_database_exactly_as_it_was(schema: str, sync: Sync) -> None:
    declare(schema, "good", "SELECT 1 AS n")
    changing = declare(schema, "changing", "SELECT 2 AS n")
    sync()
    before = relations(schema)

    changing.sql = "SELECT 3 AS n"
    declare(schema, "new_one", "SELECT 4 AS n")
    declare(schema, "broken", "SELECT no_such_column FROM testapp_customer")
    with pytest.raises(CommandError) as info:
        sync()
    message = str(info.value)
    assert "tests.user_views.Broken" in message
    assert 'column "no_such_column" does not exist' in message
    assert relations(schema) == before
    assert rows(f"SELECT n FROM {schema}.changing") == [(2,)]


def test_second_sync_runs_no_ddl(schema: str, sync: Sync) -> None:
    base = declare(schema, "base", "SELECT 1 AS n")
    declare(schema, "reader", f"SELECT n FROM {schema}.base", grant_to=[])
    assert base.comment is None
    sync()
    before = relations(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text, ctid::text FROM django_orm_views.managed_view "
            "WHERE schema_name = %s ORDER BY view_name",
            [schema],
        )
        state_before = cursor.fetchall()
    output = sync()
    assert "0 created, 0 replaced, 0 dropped, 2 unchanged" in output
    assert relations(schema) == before  # same OIDs, same xmin: no catalog row rewritten
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text, ctid::text FROM django_orm_views.managed_view "
            "WHERE schema_name = %s ORDER BY view_name",
            [schema],
        )
        assert cursor.fetchall() == state_before


def test_changed_view_is_replaced_in_place(schema: str, sync: Sync) -> None:
    view = declare(schema, "base", "SELECT 1 AS n")
    sync()
    oid = relations(schema)["base"][0]
    view.sql = "SELECT 2 AS n, 'x' AS extra"
    assert "1 replaced" in sync()
    assert relations(schema)["base"][0] == oid  # CREATE OR REPLACE keeps the OID
    assert rows(f"SELECT n, extra FROM {schema}.base") == [(2, "x")]


def test_views_rendered_by_an_older_release_are_replaced(
    schema: str, sync: Sync, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release that renders views differently (a fixed mask, say) bumps
    RENDER_VERSION, and the next sync replaces what the older one made."""
    from django_orm_views import definition

    declare(schema, "base", "SELECT 1 AS n")
    with monkeypatch.context() as patched:
        patched.setattr(definition, "RENDER_VERSION", definition.RENDER_VERSION - 1)
        sync()
    assert "0 created, 1 replaced, 0 dropped, 0 unchanged" in sync()
    assert "0 created, 0 replaced, 0 dropped, 1 unchanged" in sync()


def test_incompatible_change_rebuilds_the_view_and_its_readers(schema: str, sync: Sync) -> None:
    base = declare(schema, "base", "SELECT 1 AS n")
    declare(schema, "reader", f"SELECT n FROM {schema}.base")
    declare(schema, "second", f"SELECT n FROM {schema}.reader")
    sync()
    base.sql = "SELECT 'one'::text AS n"  # a type change: OR REPLACE is refused
    output = sync("-v", "2")
    assert "dropped and created again" in output
    assert rows(f"SELECT n FROM {schema}.second") == [("one",)]


def test_view_removed_from_code_is_dropped(schema: str, sync: Sync) -> None:
    from django_orm_views.registry import registry

    keep = declare(schema, "keep", "SELECT 1 AS n")
    gone = declare(schema, "gone", f"SELECT n FROM {schema}.keep")
    sync()
    registry.unregister(gone)
    assert "1 dropped" in sync()
    assert set(relations(schema)) == {"keep"}
    registry.unregister(keep)
    sync()
    assert relations(schema) == {}


def test_hand_made_objects_in_the_schema_survive(schema: str, sync: Sync) -> None:
    from django_orm_views.registry import registry

    managed = declare(schema, "managed", "SELECT 1 AS n")
    sync()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {schema}.notes (body text)")
        cursor.execute(f"CREATE VIEW {schema}.my_view AS SELECT n FROM {schema}.managed")
    registry.unregister(managed)
    with pytest.raises(CommandError) as info:
        sync()
    assert f"view {schema}.my_view" in str(info.value)
    assert set(relations(schema)) == {"managed", "notes", "my_view"}

    registry.register(managed)
    sync("--force")
    assert set(relations(schema)) == {"managed", "notes", "my_view"}


def test_name_taken_by_a_hand_made_object_is_refused(schema: str, sync: Sync) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE TABLE {schema}.taken (n int)")
    declare(schema, "taken", "SELECT 1 AS n")
    with pytest.raises(CommandError, match=rf"table {schema}\.taken already exists"):
        sync()
    assert relations(schema)["taken"][3] == "r"


def test_dependent_object_outside_the_schema_blocks_a_rebuild(schema: str, sync: Sync) -> None:
    base = declare(schema, "base", "SELECT 1 AS n")
    sync()
    outside = f"public.{schema}_reader"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIEW {outside} AS SELECT n FROM {schema}.base")
    try:
        before = relations(schema)
        base.sql = "SELECT 'x'::text AS n"
        with pytest.raises(CommandError) as info:
            sync()
        assert f"view {outside}" in str(info.value)
        assert "was not created by sync_views" in str(info.value)
        assert relations(schema) == before
        assert rows(f"SELECT n FROM {outside}") == [(1,)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP VIEW {outside}")


@pytest.mark.parametrize("reserved", ["public", "pg_catalog", "information_schema", "pg_toast"])
def test_reserved_schemas_are_refused(transactional_db: None, reserved: str) -> None:
    from django.core.management import call_command

    with pytest.raises(CommandError, match="reserved"):
        call_command("sync_views", "--schema", reserved)


def test_schema_holding_django_tables_is_refused(schema: str, sync: Sync) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE TABLE {schema}.testapp_customer (id int)")
    declare(schema, "v", "SELECT 1 AS n")
    with pytest.raises(CommandError, match="holds Django tables"):
        sync()
    assert set(relations(schema)) == {"testapp_customer"}


def test_dry_run_prints_sql_and_changes_nothing(schema: str, sync: Sync) -> None:
    declare(schema, "base", "SELECT 1 AS n")
    output = sync("--dry-run")
    assert f'CREATE VIEW "{schema}"."base" WITH (security_barrier) AS' in output
    assert "would change: 1 created" in output
    assert rows("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]) == []


def test_check_reports_differences_and_drift(schema: str, sync: Sync) -> None:
    declare(schema, "base", "SELECT 1 AS n")
    with pytest.raises(CommandError, match="not in sync"):
        sync("--check")
    sync()
    assert "in sync" in sync("--check")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE OR REPLACE VIEW {schema}.base AS SELECT 2 AS n")
    with pytest.raises(CommandError):
        sync("--check")
    sync()
    assert rows(f"SELECT n FROM {schema}.base") == [(1,)]


def test_multiple_statements_in_sql_are_refused(schema: str, sync: Sync) -> None:
    declare(schema, "sneaky", "SELECT 1; DROP TABLE testapp_order")
    with pytest.raises(CommandError, match="one SELECT statement"):
        sync()
    assert rows("SELECT to_regclass('testapp_order') IS NOT NULL") == [(True,)]


def test_column_renamed_by_hand_is_put_back(schema: str, sync: Sync) -> None:
    declare(schema, "base", "SELECT 1 AS n")
    sync()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER VIEW {schema}.base RENAME COLUMN n TO m")
    with pytest.raises(CommandError, match="not in sync"):
        sync("--check")
    sync()
    assert rows(f"SELECT n FROM {schema}.base") == [(1,)]


def test_trigger_on_a_managed_view_blocks_its_rebuild_by_name(schema: str, sync: Sync) -> None:
    view = declare(schema, "base", "SELECT 1 AS n")
    sync()
    add_trigger(schema, "base")
    view.sql = "SELECT 'x'::text AS n"  # needs a drop and create
    with pytest.raises(CommandError, match="trigger keep_me"):
        sync()
    assert rows(f"SELECT tgname FROM pg_trigger WHERE tgrelid = '{schema}.base'::regclass") == [
        ("keep_me",)
    ]


def test_rebuild_while_a_reader_is_removed_from_the_code(schema: str, sync: Sync) -> None:
    from django_orm_views.registry import registry

    base = declare(schema, "base", "SELECT 1 AS n")
    reader = declare(schema, "reader", f"SELECT n FROM {schema}.base")
    sync()
    registry.unregister(reader)
    base.sql = "SELECT 'x'::text AS n"
    output = sync()
    assert "1 replaced, 1 dropped" in output
    assert set(relations(schema)) == {"base"}
    assert rows(f"SELECT n FROM {schema}.base") == [("x",)]


def test_trigger_on_a_reader_blocks_the_rebuild_too(schema: str, sync: Sync) -> None:
    base = declare(schema, "base", "SELECT 1 AS n")
    declare(schema, "reader", f"SELECT n FROM {schema}.base")
    sync()
    add_trigger(schema, "reader")
    base.sql = "SELECT 'x'::text AS n"
    with pytest.raises(CommandError, match="trigger keep_me"):
        sync()


def add_trigger(schema: str, view: str) -> None:
    """A hand-made INSTEAD OF trigger ``keep_me`` on ``schema.view``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE FUNCTION {schema}.noop() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RETURN NULL; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER keep_me INSTEAD OF INSERT ON {schema}.{view} "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.noop()"
        )
