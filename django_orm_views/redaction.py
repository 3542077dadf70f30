"""Redaction rules declared in a view's ``redact`` mapping.

This module holds the declarations only: each rule checks its own arguments
when it is built, so a typo fails at import time with the bad value named.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from typing import Any

TRUNCATE_UNITS = ("year", "month", "day", "hour")
#: The largest SQL integer: partial()'s kept lengths are rendered as integers.
INT4_MAX = 2**31 - 1


@dataclass(frozen=True)
class RedactRule:
    """One masking rule: its ``kind`` and the arguments it was built with."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Short human text, e.g. ``partial(keep_start=3, keep_end=2)``."""
        if not self.params:
            return self.kind
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.kind}({args})"


_CONSTANT_TYPES = (str, int, float, decimal.Decimal, bool, datetime.date, datetime.time)


class Redact:
    """Constructors of redaction rules: ``redact = {"email": Redact.email()}``."""

    @staticmethod
    def null() -> RedactRule:
        """NULL of the column's type."""
        return RedactRule("null")

    @staticmethod
    def constant(value: Any) -> RedactRule:
        """The given value, cast to the column's type."""
        if value is not None and not isinstance(value, _CONSTANT_TYPES):
            raise TypeError(f"Redact.constant() takes a scalar value, not {type(value).__name__}")
        return RedactRule("constant", {"value": value})

    @staticmethod
    def hash() -> RedactRule:
        """Keyed hash as hex text: joinable across views, not reversible."""
        return RedactRule("hash")

    @staticmethod
    def email() -> RedactRule:
        """``ada@example.org`` -> ``a***@example.org``."""
        return RedactRule("email")

    @staticmethod
    def partial(keep_start: int = 0, keep_end: int = 0, fill: str = "*") -> RedactRule:
        """Keep both ends, replace each character between them with ``fill``."""
        for label, number in (("keep_start", keep_start), ("keep_end", keep_end)):
            if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                raise ValueError(f"Redact.partial({label}={number!r}) must be an int >= 0")
        if keep_start + keep_end > INT4_MAX:  # both are SQL integer constants
            raise ValueError(
                f"Redact.partial(keep_start={keep_start}, keep_end={keep_end}): "
                f"keep_start + keep_end must be at most {INT4_MAX}"
            )
        if not isinstance(fill, str) or len(fill) != 1:
            raise ValueError(f"Redact.partial(fill={fill!r}) must be one character")
        return RedactRule("partial", {"keep_start": keep_start, "keep_end": keep_end, "fill": fill})

    @staticmethod
    def truncate(unit: str) -> RedactRule:
        """Dates and timestamps truncated to ``year``, ``month``, ``day`` or ``hour``."""
        if unit not in TRUNCATE_UNITS:
            raise ValueError(f"Redact.truncate({unit!r}): unit must be one of {TRUNCATE_UNITS}")
        return RedactRule("truncate", {"unit": unit})

    @staticmethod
    def bucket(width: int | float | decimal.Decimal) -> RedactRule:
        """Numbers floored to a multiple of ``width``."""
        if isinstance(width, bool) or not isinstance(width, int | float | decimal.Decimal):
            raise ValueError(f"Redact.bucket({width!r}): width must be a number")
        if not width > 0 or not decimal.Decimal(str(width)).is_finite():
            raise ValueError(f"Redact.bucket({width!r}): width must be a finite number > 0")
        return RedactRule("bucket", {"width": width})

    @staticmethod
    def sql(template: str) -> RedactRule:
        """A custom SQL expression with ``{column}`` where the column goes."""
        if not isinstance(template, str) or "{column}" not in template:
            raise ValueError(f"Redact.sql({template!r}) must contain '{{column}}'")
        _check_expression(template)
        return RedactRule("sql", {"template": template})


def _check_expression(template: str) -> None:
    """Refuse a template that is not exactly one SQL expression.

    The expression is written into the view's select list, so it must not
    be able to close the statement and start another.
    """
    from pglast import ast, parse_sql
    from pglast.parser import ParseError

    probe = "SELECT (" + template.replace("{column}", "x") + ")"
    try:
        statements = parse_sql(probe)
    except ParseError as exc:
        raise ValueError(f"Redact.sql({template!r}) is not one SQL expression: {exc}") from exc
    stmt = statements[0].stmt if len(statements) == 1 else None
    if (
        not isinstance(stmt, ast.SelectStmt)
        or stmt.fromClause
        or not stmt.targetList
        or len(stmt.targetList) != 1
    ):
        raise ValueError(f"Redact.sql({template!r}) is not one SQL expression")
