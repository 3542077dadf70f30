"""Settings of the benchmark project.

``BENCH_DATABASE`` (a JSON ``DATABASES`` entry) is set by the benchmark for
the ``manage.py`` processes it starts, so they reach the very server the
parent chose: ``DATABASE_URL`` when set, otherwise the embedded PostgreSQL
the parent started.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django_orm_views.devdb import database_settings


def _database() -> dict[str, Any]:
    given = os.environ.get("BENCH_DATABASE")
    if given:
        config: dict[str, Any] = json.loads(given)
        return config
    return database_settings()


SECRET_KEY = "bench-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django_orm_views", "bench.benchviews"]
DATABASES = {"default": _database()}
DJANGO_ORM_VIEWS = {
    "SCHEMA": os.environ.get("BENCH_SCHEMA", "bench"),
    "REDACT_KEY": "bench-only-redact-key",
}
