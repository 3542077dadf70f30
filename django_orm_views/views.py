"""View declarations: subclass one of these and the view exists.

A concrete subclass is validated and registered when Python creates the
class, so mistakes surface at import time with the class named.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django_orm_views import conf
from django_orm_views.exceptions import ViewDeclarationError
from django_orm_views.identifiers import (
    identifier_problem,
    role_problem,
    schema_refusal,
    snake_case,
)
from django_orm_views.redaction import RedactRule

if TYPE_CHECKING:
    from django.db.models import QuerySet


class PostgresView:
    """Base of every view class. Subclass a concrete kind, not this."""

    #: Set ``abstract = True`` in a class body to make a base for other views.
    abstract: ClassVar[bool] = True
    #: View name; defaults to the class name in snake_case.
    name: ClassVar[str]
    #: Schema; defaults to ``DJANGO_ORM_VIEWS["SCHEMA"]``.
    schema: ClassVar[str]
    #: Roles that may ``SELECT`` the view.
    grant_to: ClassVar[Sequence[str]] = ()
    #: ``{column: Redact.rule()}``.
    redact: ClassVar[Mapping[str, RedactRule]] = {}
    #: ``{column: reason}``: columns the personal-data lint should accept unmasked.
    allow_unmasked: ClassVar[Mapping[str, str]] = {}
    #: Other view classes this view reads, when it cannot be seen from its SQL.
    dependencies: ClassVar[Sequence[type[PostgresView]]] = ()
    #: Filled in at declaration: the docstring, cleaned, or ``None``.
    comment: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        cls.abstract = False
        _declare(cls)

    @classmethod
    def label(cls) -> str:
        """``module.ClassName``, used in every message about this view."""
        return f"{cls.__module__}.{cls.__qualname__}"

    @classmethod
    def qualified_name(cls) -> str:
        """``schema.name``, for messages."""
        return f"{cls.schema}.{cls.name}"


class PostgresViewFromSQL(PostgresView):
    """A view whose body is the SQL in ``sql``, used exactly as written."""

    abstract = True
    sql: ClassVar[str]


class PostgresViewFromQueryset(PostgresView):
    """A view whose body is the SQL of ``get_queryset()``; its values are bound."""

    abstract = True

    def get_queryset(self) -> QuerySet[Any]:
        """Return the queryset the view selects (method or classmethod)."""
        raise NotImplementedError

    @classmethod
    def build_queryset(cls) -> QuerySet[Any]:
        """Call ``get_queryset`` whether it was written as a method or a classmethod."""
        return cls().get_queryset()


def _fail(cls: type[PostgresView], message: str) -> ViewDeclarationError:
    return ViewDeclarationError(f"{cls.label()}: {message}")


def _declare(cls: type[PostgresView]) -> None:
    """Validate a concrete view class, fill in its defaults and register it."""
    if "name" not in cls.__dict__:
        cls.name = snake_case(cls.__name__)
    if getattr(cls, "schema", None) is None:
        cls.schema = conf.schema()

    problem = identifier_problem(cls.name)
    if problem:
        raise _fail(cls, f"view name {cls.name!r} {problem}")
    problem = identifier_problem(cls.schema)
    if problem:
        raise _fail(cls, f"schema {cls.schema!r} {problem}")
    refusal = schema_refusal(cls.schema)
    if refusal:
        raise _fail(cls, refusal)

    _check_body(cls)
    _check_grants(cls)
    _check_redact(cls)
    _check_allow_unmasked(cls)
    _check_dependencies(cls)

    doc = cls.__dict__.get("__doc__")
    cls.comment = inspect.cleandoc(doc) if doc else None

    from django_orm_views.registry import registry

    registry.register(cls)


def _check_body(cls: type[PostgresView]) -> None:
    if issubclass(cls, PostgresViewFromSQL):
        sql = getattr(cls, "sql", None)
        if not isinstance(sql, str) or not sql.strip():
            raise _fail(cls, "set `sql` to the SELECT the view runs (or `abstract = True`)")
    elif issubclass(cls, PostgresViewFromQueryset):
        if cls.get_queryset is PostgresViewFromQueryset.get_queryset:
            raise _fail(cls, "define get_queryset() (or set `abstract = True`)")
    else:
        raise _fail(cls, "subclass PostgresViewFromSQL or PostgresViewFromQueryset")


def _check_grants(cls: type[PostgresView]) -> None:
    grant_to = cls.grant_to
    if isinstance(grant_to, str) or not isinstance(grant_to, Sequence):
        raise _fail(cls, f"grant_to must be a list of role names, not {grant_to!r}")
    for role in grant_to:
        problem = role_problem(role)
        if problem:
            raise _fail(cls, f"grant_to role {role!r} {problem}")
    if len(set(grant_to)) != len(grant_to):
        raise _fail(cls, f"grant_to names a role twice: {list(grant_to)!r}")


def _check_redact(cls: type[PostgresView]) -> None:
    if not isinstance(cls.redact, Mapping):
        raise _fail(cls, f"redact must be a dict of column -> Redact rule, not {cls.redact!r}")
    for column, rule in cls.redact.items():
        if not isinstance(column, str) or len(column.encode()) > 63 or not column:
            raise _fail(cls, f"redact column {column!r} is not a column name")
        if not isinstance(rule, RedactRule):
            raise _fail(cls, f"redact[{column!r}] must be a Redact rule, not {rule!r}")


def _check_allow_unmasked(cls: type[PostgresView]) -> None:
    allowed = cls.allow_unmasked
    if not isinstance(allowed, Mapping):
        raise _fail(cls, f"allow_unmasked must be a dict of column -> reason, not {allowed!r}")
    for column, reason in allowed.items():
        if not isinstance(reason, str) or not reason.strip():
            raise _fail(cls, f"allow_unmasked[{column!r}] needs a reason (a non-empty string)")
        if column in cls.redact:
            raise _fail(cls, f"column {column!r} is both redacted and allowed unmasked")


def _check_dependencies(cls: type[PostgresView]) -> None:
    deps = cls.dependencies
    if isinstance(deps, str) or not isinstance(deps, Sequence):
        raise _fail(cls, f"dependencies must be a list of view classes, not {deps!r}")
    for dep in deps:
        if not (isinstance(dep, type) and issubclass(dep, PostgresView)) or dep.abstract:
            raise _fail(cls, f"dependency {dep!r} is not a managed view class")
