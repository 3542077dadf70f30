"""System checks on DJANGO_ORM_VIEWS, one per id."""

from __future__ import annotations

import pytest
from django.test import override_settings

from django_orm_views.checks import check_database, check_settings, database_errors


def ids(settings_value: object) -> list[str]:
    with override_settings(DJANGO_ORM_VIEWS=settings_value):
        return [message.id for message in check_settings() if message.id]


def test_valid_settings_pass() -> None:
    assert ids({"SCHEMA": "analytics", "REDACT_KEY": "k", "LOCK_TIMEOUT": "5s"}) == []
    assert ids({}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not a dict", "django_orm_views.E001"),
        ({"SCHEMA": "public"}, "django_orm_views.E002"),
        ({"SCHEMA": "Bad Name"}, "django_orm_views.E002"),
        ({"OWNER_ROLE": "pg_monitor"}, "django_orm_views.E003"),
        ({"LOCK_TIMEOUT": "soon"}, "django_orm_views.E004"),
        ({"REDACT_KEY": ""}, "django_orm_views.E006"),
        ({"SCHEMAS": "analytics"}, "django_orm_views.W001"),
    ],
)
def test_misconfiguration_is_reported(value: object, expected: str) -> None:
    assert ids(value) == [expected]


def test_non_postgresql_database_is_an_error() -> None:
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    assert [m.id for m in database_errors(databases)] == ["django_orm_views.E005"]
    assert check_database() == []


def view_messages(view: type) -> list[tuple[str, str]]:
    from django_orm_views.checks import check_views

    return [(m.id or "", m.msg) for m in check_views() if m.obj is view]


def test_email_field_exposed_by_a_view_is_a_warning() -> None:
    from django_orm_views import PostgresViewFromQueryset
    from tests.testapp.models import Customer

    class Contacts(PostgresViewFromQueryset):
        def get_queryset(self):
            return Customer.objects.values("id", "email", "country")

    [(id_, msg)] = view_messages(Contacts)
    assert id_ == "django_orm_views.W010"
    assert "EmailField testapp.Customer.email" in msg
    assert "'email'" in msg


def test_sensitive_fields_exposed_unmasked_are_errors_in_sql_views_too() -> None:
    from django_orm_views import PostgresViewFromSQL, Redact

    class Raw(PostgresViewFromSQL):
        sql = "SELECT c.full_name AS who, c.country FROM testapp_customer c"

    class Masked(PostgresViewFromSQL):
        sql = "SELECT c.full_name AS who, c.email FROM testapp_customer c"
        redact = {"who": Redact.null(), "email": Redact.email()}

    class Acknowledged(PostgresViewFromSQL):
        sql = "SELECT * FROM testapp_customer"
        redact = {"email": Redact.hash()}
        allow_unmasked = {"full_name": "support needs names to reply to tickets"}

    sensitive = ["testapp.Customer.full_name", "testapp.Customer.date_of_birth"]
    with override_settings(DJANGO_ORM_VIEWS={"SENSITIVE_FIELDS": sensitive, "REDACT_KEY": "k"}):
        assert view_messages(Raw) == [
            (
                "django_orm_views.E010",
                "tests.test_checks.test_sensitive_fields_exposed_unmasked_are_errors_in_sql_"
                "views_too.<locals>.Raw exposes the sensitive field testapp.Customer.full_name"
                " unmasked as column 'who'.",
            )
        ]
        assert view_messages(Masked) == []
        assert [m[0] for m in view_messages(Acknowledged)] == ["django_orm_views.E010"]
        assert "date_of_birth" in view_messages(Acknowledged)[0][1]


def test_hash_without_key_and_unknown_sensitive_field_are_errors() -> None:
    from django_orm_views import PostgresViewFromSQL, Redact
    from django_orm_views.checks import check_views

    class Hashed(PostgresViewFromSQL):
        sql = "SELECT 1 AS id"
        redact = {"id": Redact.hash()}

    with override_settings(
        DJANGO_ORM_VIEWS={"REDACT_KEY": None, "SENSITIVE_FIELDS": ["testapp.Customer.nope"]}
    ):
        assert [m[0] for m in view_messages(Hashed)] == ["django_orm_views.E007"]
        assert "django_orm_views.E008" in [m.id for m in check_views()]


def test_allow_unmasked_needs_a_reason() -> None:
    from django_orm_views import PostgresViewFromSQL
    from django_orm_views.exceptions import ViewDeclarationError

    with pytest.raises(ViewDeclarationError, match="needs a reason"):

        class NoReason(PostgresViewFromSQL):
            sql = "SELECT 1 AS id"
            allow_unmasked = {"id": ""}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nope", ["analytics_roles.E001"]),
        ({"public": {}}, ["analytics_roles.E002"]),
        ({"analyst": {"statment_timeout": "1s"}}, ["analytics_roles.E003"]),
        ({"analyst": {"statement_timeout": "soon"}}, ["analytics_roles.E004"]),
        ({"analyst": {"connection_limit": -5}}, ["analytics_roles.E005"]),
        ({"analyst": {"statement_timeout": "60s", "connection_limit": 20}, "finance": None}, []),
    ],
)
def test_analytics_roles_setting_is_checked(value: object, expected: list[str]) -> None:
    from analytics_roles.checks import check_roles_setting

    with override_settings(ANALYTICS_ROLES=value):
        assert [m.id for m in check_roles_setting()] == expected
