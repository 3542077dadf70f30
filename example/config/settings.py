"""Settings for the example shop.

Everything has a development default so that ``python example/manage.py demo``
works on a fresh machine. ``DATABASE_URL`` selects a real PostgreSQL (see
``docker-compose.yml``); without it an embedded server keeps its data in
``example/.pgdata/``.
"""

from pathlib import Path

import environ

from django_orm_views.devdb import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-example-only-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_orm_views",
    "analytics_roles",
    "shop",
]

MIDDLEWARE: list[str] = []

ROOT_URLCONF = "config.urls"

DATABASES = {"default": database_settings(BASE_DIR / ".pgdata")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The analytics schema and how its views are masked and owned.
DJANGO_ORM_VIEWS = {
    "SCHEMA": "analytics",
    # Keyed hash for Redact.hash(): set a real secret in every shared environment.
    "REDACT_KEY": env("ANALYTICS_REDACT_KEY", default="dev-only-not-secret-change-me"),
    "OWNER_ROLE": None,
    "LOCK_TIMEOUT": "5s",
}

# Group roles that analysts' logins join (``manage.py sync_roles``).
ANALYTICS_ROLES = {
    "analyst": {"statement_timeout": "60s", "connection_limit": 20},
    "finance": {"statement_timeout": "5min"},
}
