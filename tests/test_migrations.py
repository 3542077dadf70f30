"""Views never reach Django migrations."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from django_orm_views import PostgresViewFromQueryset, PostgresViewFromSQL
from tests.testapp.models import Customer


@pytest.mark.django_db
def test_makemigrations_check_is_clean_with_many_views() -> None:
    for i in range(50):
        type(
            f"Many{i}", (PostgresViewFromSQL,), {"sql": f"SELECT {i} AS n", "__module__": __name__}
        )

    class ReadableCustomers(PostgresViewFromQueryset):
        def get_queryset(self):
            return Customer.objects.values("id", "country")

    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
