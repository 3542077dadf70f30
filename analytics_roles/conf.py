"""The ``ANALYTICS_ROLES`` setting, read through one typed accessor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

#: Keys a group may set, with their defaults.
GROUP_DEFAULTS: dict[str, Any] = {
    "statement_timeout": None,  # e.g. "60s"; applied to each analyst of the group
    "idle_in_transaction_session_timeout": "5min",
    "connection_limit": -1,  # per analyst login; -1 is no limit
}

#: Role comments that mark what these commands created (shared comments on roles).
GROUP_MARKER = "django-orm-views analytics group"
ANALYST_MARKER = "django-orm-views analyst"


@dataclass(frozen=True)
class GroupSpec:
    """One group of ``ANALYTICS_ROLES``."""

    name: str
    statement_timeout: str | None = None
    idle_in_transaction_session_timeout: str | None = "5min"
    connection_limit: int = -1

    def session_settings(self) -> dict[str, str]:
        """Per-login settings an analyst of this group gets."""
        out: dict[str, str] = {}
        if self.statement_timeout:
            out["statement_timeout"] = self.statement_timeout
        if self.idle_in_transaction_session_timeout:
            out["idle_in_transaction_session_timeout"] = self.idle_in_transaction_session_timeout
        return out


def raw() -> dict[str, Any]:
    value = getattr(settings, "ANALYTICS_ROLES", {})
    return value if isinstance(value, dict) else {}


def groups() -> dict[str, GroupSpec]:
    """Declared groups by name (validated by the system checks)."""
    out: dict[str, GroupSpec] = {}
    for name, options in raw().items():
        merged = {**GROUP_DEFAULTS, **(options or {})}
        out[name] = GroupSpec(
            name=name,
            statement_timeout=merged["statement_timeout"],
            idle_in_transaction_session_timeout=merged["idle_in_transaction_session_timeout"],
            connection_limit=int(merged["connection_limit"]),
        )
    return out
