"""Settings of the test project. The database is filled in by the session fixture
in ``conftest.py``: ``DATABASE_URL`` when set, otherwise an embedded PostgreSQL."""

SECRET_KEY = "tests-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_orm_views",
    "analytics_roles",
    "tests.testapp",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "HOST": "set-by-conftest",
    }
}
DJANGO_ORM_VIEWS = {
    "SCHEMA": "analytics",
    "REDACT_KEY": "tests-only-redact-key",
    "LOCK_TIMEOUT": "2s",
}
