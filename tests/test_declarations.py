"""Declaring views: names, validation and the registry. No database needed."""

from __future__ import annotations

import pytest

from django_orm_views import PostgresViewFromQueryset, PostgresViewFromSQL, Redact
from django_orm_views.exceptions import ViewDeclarationError
from django_orm_views.identifiers import snake_case
from django_orm_views.registry import registry


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("OrdersPerCountry", "orders_per_country"),
        ("Customers", "customers"),
        ("HTTPLogs", "http_logs"),
        ("Orders2024ByDay", "orders2024_by_day"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


def test_defaults_and_docstring_comment() -> None:
    class OrdersPerCountryX(PostgresViewFromSQL):
        """Orders per country.

        Second paragraph."""

        sql = "SELECT 1 AS one"

    assert OrdersPerCountryX.name == "orders_per_country_x"
    assert OrdersPerCountryX.schema == "analytics"
    assert OrdersPerCountryX.comment == "Orders per country.\n\nSecond paragraph."
    assert registry.get("analytics", "orders_per_country_x") is OrdersPerCountryX


def test_abstract_bases_are_not_registered() -> None:
    before = len(registry)

    class Base(PostgresViewFromSQL):
        abstract = True
        schema = "reporting"
        grant_to = ["analyst"]

    assert len(registry) == before

    class Child(Base):
        sql = "SELECT 1"

    assert Child.schema == "reporting"
    assert Child.name == "child"
    assert list(Child.grant_to) == ["analyst"]
    assert registry.get("reporting", "child") is Child


def test_duplicate_names_in_one_schema_name_both_classes() -> None:
    class First(PostgresViewFromSQL):
        name = "same_name"
        sql = "SELECT 1"

    with pytest.raises(ViewDeclarationError) as info:

        class Second(PostgresViewFromSQL):
            name = "same_name"
            sql = "SELECT 2"

    message = str(info.value)
    assert "First" in message
    assert "Second" in message
    assert "analytics.same_name" in message


def test_same_name_in_other_schema_is_fine() -> None:
    class One(PostgresViewFromSQL):
        name = "twin"
        sql = "SELECT 1"

    class Two(PostgresViewFromSQL):
        name = "twin"
        schema = "other"
        sql = "SELECT 1"

    assert registry.get("analytics", "twin") is One
    assert registry.get("other", "twin") is Two


@pytest.mark.parametrize(
    ("attrs", "fragment"),
    [
        ({"name": "x" * 64}, "longer than 63 bytes"),
        ({"name": "é" * 32}, "longer than 63 bytes"),
        ({"name": "Has Space"}, "view name 'Has Space'"),
        ({"schema": "public"}, "reserved"),
        ({"schema": "pg_temp"}, "reserved"),
        ({"schema": "information_schema"}, "reserved"),
        ({"grant_to": "analyst"}, "list of role names"),
        ({"grant_to": ["public"]}, "PUBLIC"),
        ({"grant_to": ["pg_read_all_data"]}, "pg_"),
        ({"grant_to": ["a", "a"]}, "twice"),
        ({"grant_to": ["r" * 64]}, "longer than 63"),
        ({"redact": {"email": "mask"}}, "must be a Redact rule"),
        ({"redact": ["email"]}, "redact must be a dict"),
        ({"dependencies": [object]}, "not a managed view class"),
        ({"sql": ""}, "set `sql`"),
    ],
)
def test_bad_declarations_name_the_class_and_value(attrs: dict[str, object], fragment: str) -> None:
    body: dict[str, object] = {"sql": "SELECT 1", "__module__": __name__}
    body.update(attrs)
    with pytest.raises(ViewDeclarationError) as info:
        type("BadView", (PostgresViewFromSQL,), body)
    assert "BadView" in str(info.value)
    assert fragment in str(info.value)


def test_queryset_view_needs_get_queryset() -> None:
    with pytest.raises(ViewDeclarationError, match="get_queryset"):

        class NoQueryset(PostgresViewFromQueryset):
            pass


def test_redact_rules_check_their_arguments() -> None:
    assert Redact.partial(keep_start=3, keep_end=2).describe() == (
        "partial(keep_start=3, keep_end=2, fill='*')"
    )
    with pytest.raises(ValueError, match="unit"):
        Redact.truncate("week")
    with pytest.raises(ValueError, match="width"):
        Redact.bucket(0)
    with pytest.raises(ValueError, match="fill"):
        Redact.partial(fill="**")
    with pytest.raises(ValueError, match="keep_start"):
        Redact.partial(keep_start=-1)
    with pytest.raises(ValueError, match="at most 2147483647"):  # SQL integers
        Redact.partial(keep_start=2**30, keep_end=2**30)
    assert Redact.partial(keep_start=2**31 - 2, keep_end=1).params["keep_start"] == 2**31 - 2
    with pytest.raises(ValueError, match="column"):
        Redact.sql("upper(x)")
    with pytest.raises(TypeError):
        Redact.constant(["a"])
