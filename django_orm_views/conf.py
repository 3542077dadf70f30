"""Typed accessors for the ``DJANGO_ORM_VIEWS`` setting, each with its default."""

from __future__ import annotations

from typing import Any

from django.conf import settings

#: Defaults for every key of ``settings.DJANGO_ORM_VIEWS``.
DEFAULTS: dict[str, Any] = {
    "SCHEMA": "analytics",
    "REDACT_KEY": None,
    "OWNER_ROLE": None,
    "LOCK_TIMEOUT": "5s",
    "SENSITIVE_FIELDS": (),
}

#: Schema where sync_views records which views it created. Never granted to anyone.
STATE_SCHEMA = "django_orm_views"


def _raw() -> dict[str, Any]:
    value = getattr(settings, "DJANGO_ORM_VIEWS", None)
    return value if isinstance(value, dict) else {}


def _get(key: str) -> Any:
    return _raw().get(key, DEFAULTS[key])


def schema() -> str:
    """Default schema of views that do not set ``schema`` (``"analytics"``)."""
    return str(_get("SCHEMA"))


def redact_key() -> str | None:
    """Secret key of ``Redact.hash()`` (``None``: unset)."""
    value = _get("REDACT_KEY")
    return None if value is None else str(value)


def owner_role() -> str | None:
    """Role that owns managed views (``None``: the role that runs sync)."""
    value = _get("OWNER_ROLE")
    return None if value is None else str(value)


def lock_timeout() -> str:
    """How long sync waits for its lock and for locks on views (``"5s"``)."""
    return str(_get("LOCK_TIMEOUT"))


def sensitive_fields() -> tuple[str, ...]:
    """Model fields (``"app_label.Model.field"``) no view may expose unmasked (``()``)."""
    return tuple(_get("SENSITIVE_FIELDS"))


def unknown_keys() -> list[str]:
    """Keys of the setting that this package does not know (likely typos)."""
    return sorted(set(_raw()) - set(DEFAULTS))
