"""Concurrent syncs are serialised, and a sync that cannot get its lock fails fast."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test import override_settings

from django_orm_views import PostgresViewFromSQL
from django_orm_views.applying import LOCK_KEY
from tests.helpers import connect_as, relations


def test_sync_gives_up_after_lock_timeout_while_another_sync_runs(
    schema: str, sync: Callable[..., str]
) -> None:
    type(
        "Waiting",
        (PostgresViewFromSQL,),
        {"sql": "SELECT 1", "schema": schema, "__module__": __name__},
    )
    with connect_as() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        with (
            override_settings(DJANGO_ORM_VIEWS={"LOCK_TIMEOUT": "300ms"}),
            pytest.raises(CommandError, match=r"another sync_views holds the lock.*300ms"),
        ):
            sync()
    assert relations(schema) == {}
    sync()  # the lock is free again
    assert set(relations(schema)) == {"waiting"}


def test_replacing_a_view_an_analyst_is_reading_fails_fast(
    schema: str, sync: Callable[..., str]
) -> None:
    view: type[PostgresViewFromSQL] = type(
        "Busy",
        (PostgresViewFromSQL,),
        {"sql": "SELECT 1 AS n", "schema": schema, "__module__": __name__},
    )
    sync()
    view.sql = "SELECT 2 AS n"
    with connect_as() as other, other.transaction():
        other.execute(f"SELECT * FROM {schema}.busy").fetchall()  # holds AccessShareLock
        with (
            override_settings(DJANGO_ORM_VIEWS={"LOCK_TIMEOUT": "300ms"}),
            pytest.raises(CommandError, match=rf"{__name__}.Busy: could not lock {schema}.busy"),
        ):
            sync()
    sync()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {schema}.busy")
        assert cursor.fetchall() == [(2,)]
