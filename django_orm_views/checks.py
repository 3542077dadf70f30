"""System checks for ``DJANGO_ORM_VIEWS`` settings (ids ``django_orm_views.E00N``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from django_orm_views import conf
from django_orm_views.identifiers import (
    identifier_problem,
    is_duration,
    role_problem,
    schema_refusal,
)


@register(Tags.database)
def check_database(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Managed views need PostgreSQL, and should not be owned by a superuser.

    Database checks run with ``check --database default`` and before ``migrate``.
    """
    messages = database_errors(settings.DATABASES)
    if messages or not databases:
        return messages
    from django.db import connections

    from django_orm_views import catalog

    for alias in databases:
        with connections[alias].cursor() as cursor:
            owner, superuser = catalog.effective_owner_is_superuser(cursor, conf.owner_role())
        if superuser:
            messages.append(
                Warning(
                    f"Views synced on database {alias!r} would be owned by {owner!r}, a "
                    "superuser: views read their tables with their owner's rights, so "
                    "row-level security on those tables would not apply.",
                    hint="Set DJANGO_ORM_VIEWS['OWNER_ROLE'] to a NOLOGIN role that may "
                    "read the views' tables.",
                    id="django_orm_views.W020",
                )
            )
    return messages


def database_errors(databases: dict[str, Any]) -> list[CheckMessage]:
    """E005 when the default database is not PostgreSQL."""
    errors: list[CheckMessage] = []
    for alias, config in databases.items():
        engine = config.get("ENGINE", "")
        if alias == "default" and "postgresql" not in engine:
            errors.append(
                Error(
                    f"DATABASES[{alias!r}] uses {engine!r}; django-orm-views needs PostgreSQL.",
                    id="django_orm_views.E005",
                )
            )
    return errors


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Validate ``settings.DJANGO_ORM_VIEWS``."""
    raw = getattr(settings, "DJANGO_ORM_VIEWS", {})
    if not isinstance(raw, dict):
        return [
            Error("DJANGO_ORM_VIEWS must be a dict.", id="django_orm_views.E001"),
        ]
    messages: list[CheckMessage] = []
    for key in conf.unknown_keys():
        messages.append(
            Warning(
                f"DJANGO_ORM_VIEWS has an unknown key {key!r}.",
                hint=f"Known keys: {', '.join(sorted(conf.DEFAULTS))}.",
                id="django_orm_views.W001",
            )
        )
    schema = raw.get("SCHEMA", conf.DEFAULTS["SCHEMA"])
    problem = identifier_problem(schema) or (
        schema_refusal(schema) if isinstance(schema, str) else None
    )
    if problem:
        messages.append(
            Error(f"DJANGO_ORM_VIEWS['SCHEMA'] {schema!r}: {problem}", id="django_orm_views.E002")
        )
    owner = raw.get("OWNER_ROLE")
    if owner is not None:
        owner_problem = role_problem(owner)
        if owner_problem:
            messages.append(
                Error(
                    f"DJANGO_ORM_VIEWS['OWNER_ROLE'] {owner!r} {owner_problem}",
                    id="django_orm_views.E003",
                )
            )
    timeout = raw.get("LOCK_TIMEOUT", conf.DEFAULTS["LOCK_TIMEOUT"])
    if not is_duration(timeout):
        messages.append(
            Error(
                f"DJANGO_ORM_VIEWS['LOCK_TIMEOUT'] {timeout!r} is not a PostgreSQL duration.",
                hint="Use a value like '5s', '500ms' or '1min'.",
                id="django_orm_views.E004",
            )
        )
    redact_key = raw.get("REDACT_KEY")
    if redact_key is not None and (not isinstance(redact_key, str) or not redact_key):
        messages.append(
            Error(
                "DJANGO_ORM_VIEWS['REDACT_KEY'] must be a non-empty string.",
                id="django_orm_views.E006",
            )
        )
    return messages


@register()
def check_views(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Redaction needs a key; personal data must not leave through a view unmasked."""
    from django.db.models import EmailField, GenericIPAddressField

    from django_orm_views.pii import exposed_fields, field_label
    from django_orm_views.registry import registry

    messages: list[CheckMessage] = []
    sensitive = set(conf.sensitive_fields())
    messages.extend(_sensitive_field_errors(sensitive))
    for view in registry:
        hashed = [c for c, rule in view.redact.items() if rule.kind == "hash"]
        if hashed and conf.redact_key() is None:
            messages.append(
                Error(
                    f"{view.label()} hashes {hashed[0]!r} but DJANGO_ORM_VIEWS['REDACT_KEY'] "
                    "is not set.",
                    hint="Read the key from the environment, e.g. env('ANALYTICS_REDACT_KEY').",
                    obj=view,
                    id="django_orm_views.E007",
                )
            )
        try:
            exposed = exposed_fields(view)
        except Exception as exc:  # a check must report, not crash start-up
            messages.append(
                Error(
                    f"{view.label()}: could not read its columns: {exc}",
                    obj=view,
                    id="django_orm_views.E009",
                )
            )
            continue
        for column, field in exposed:
            if column in view.redact or column in view.allow_unmasked:
                continue
            label = field_label(field)
            hint = (
                f"Add redact = {{{column!r}: Redact....}} or, if it is intended, "
                f"allow_unmasked = {{{column!r}: 'why'}}."
            )
            if label in sensitive:
                messages.append(
                    Error(
                        f"{view.label()} exposes the sensitive field {label} unmasked "
                        f"as column {column!r}.",
                        hint=hint,
                        obj=view,
                        id="django_orm_views.E010",
                    )
                )
            elif isinstance(field, EmailField | GenericIPAddressField):
                messages.append(
                    Warning(
                        f"{view.label()} exposes {type(field).__name__} {label} unmasked "
                        f"as column {column!r}.",
                        hint=hint,
                        obj=view,
                        id="django_orm_views.W010",
                    )
                )
    return messages


def _sensitive_field_errors(labels: set[str]) -> list[CheckMessage]:
    """E008 for ``SENSITIVE_FIELDS`` entries that name no model field."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    errors: list[CheckMessage] = []
    for label in sorted(labels):
        parts = label.split(".") if isinstance(label, str) else []
        try:
            if len(parts) != 3:
                raise LookupError
            apps.get_model(parts[0], parts[1])._meta.get_field(parts[2])
        except (LookupError, FieldDoesNotExist):
            errors.append(
                Error(
                    f"DJANGO_ORM_VIEWS['SENSITIVE_FIELDS'] entry {label!r} names no model field.",
                    hint="Use 'app_label.ModelName.field_name'.",
                    id="django_orm_views.E008",
                )
            )
    return errors
