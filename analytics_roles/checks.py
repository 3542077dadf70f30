"""System checks for ``ANALYTICS_ROLES`` (ids ``analytics_roles.E00N``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from analytics_roles.conf import GROUP_DEFAULTS
from django_orm_views.identifiers import is_duration, role_problem


@register()
def check_roles_setting(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    value = getattr(settings, "ANALYTICS_ROLES", {})
    if not isinstance(value, dict):
        return [
            Error("ANALYTICS_ROLES must be a dict of group -> options.", id="analytics_roles.E001")
        ]
    errors: list[CheckMessage] = []
    for name, options in value.items():
        problem = role_problem(name)
        if problem:
            errors.append(
                Error(f"ANALYTICS_ROLES group {name!r} {problem}.", id="analytics_roles.E002")
            )
        if options is None:
            continue
        if not isinstance(options, dict):
            errors.append(
                Error(f"ANALYTICS_ROLES[{name!r}] must be a dict.", id="analytics_roles.E001")
            )
            continue
        for key, option in options.items():
            if key not in GROUP_DEFAULTS:
                errors.append(
                    Error(
                        f"ANALYTICS_ROLES[{name!r}] has unknown option {key!r}.",
                        hint=f"Known options: {', '.join(GROUP_DEFAULTS)}.",
                        id="analytics_roles.E003",
                    )
                )
            elif key.endswith("timeout") and option is not None and not is_duration(option):
                errors.append(
                    Error(
                        f"ANALYTICS_ROLES[{name!r}][{key!r}] = {option!r} is not a duration "
                        "such as '60s' or '5min'.",
                        id="analytics_roles.E004",
                    )
                )
            elif key == "connection_limit" and (
                not isinstance(option, int) or isinstance(option, bool) or option < -1
            ):
                errors.append(
                    Error(
                        f"ANALYTICS_ROLES[{name!r}]['connection_limit'] = {option!r} must be "
                        "an int >= -1.",
                        id="analytics_roles.E005",
                    )
                )
    return errors
