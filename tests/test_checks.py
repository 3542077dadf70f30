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
