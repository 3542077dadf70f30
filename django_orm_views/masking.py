"""Rendering ``Redact`` rules as SQL: pure functions, no database.

A redacted view wraps the declared query and replaces each redacted
column by an expression of the same name and type::

    SELECT <mask>::<type> AS "email", "unmasked"."id", ...
    FROM (<declared query>) AS "unmasked"

PostgreSQL flattens the subquery, so filters on unmasked columns still
reach the base table's indexes.

Every function is called as ``pg_catalog.f(...)`` and every operator as
``OPERATOR(pg_catalog.op)``: names in a view are resolved once, when it is
created, through the syncing session's ``search_path``, and an object a
grantee could create there (``public.convert_to(text, text)``, say) must not
be able to stand in for a built-in and receive the raw values.
"""

from __future__ import annotations

import decimal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from psycopg import sql

from django_orm_views.conf import STATE_SCHEMA
from django_orm_views.exceptions import ViewDeclarationError
from django_orm_views.redaction import RedactRule

#: Alias of the declared query inside a redacted view.
SOURCE_ALIAS = "unmasked"
#: Private one-row table holding the HMAC pads derived from ``REDACT_KEY``.
KEY_TABLE = "redact_key"
#: Bytes kept from the HMAC-SHA256 (128 bits, 32 hex digits).
HASH_BYTES = 16

TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "citext", "name"})
INTEGER_TYPES = {
    "int2": (-(2**15), 2**15 - 1),
    "int4": (-(2**31), 2**31 - 1),
    "int8": (-(2**63), 2**63 - 1),
}
FLOAT_TYPES = frozenset({"float4", "float8"})
NUMBER_TYPES = frozenset({*INTEGER_TYPES, *FLOAT_TYPES, "numeric"})
TIME_TYPES = frozenset({"date", "timestamp", "timestamptz"})
#: Types whose text form does not depend on session settings, so hashes are stable.
HASHABLE_TYPES = frozenset({*TEXT_TYPES, *INTEGER_TYPES, *TIME_TYPES, "numeric", "uuid", "bool"})

#: Base types each rule accepts; ``None`` means every type.
ACCEPTED: dict[str, frozenset[str] | None] = {
    "null": None,
    "constant": None,
    "hash": HASHABLE_TYPES,
    "sql": None,
    "email": TEXT_TYPES,
    "partial": TEXT_TYPES,
    "truncate": TIME_TYPES,
    "bucket": NUMBER_TYPES,
}

#: The lowest finite value of each float type.
_FLOAT_LOWEST = {
    "float4": -decimal.Decimal("3.40282346638528859811704183484516925440e38"),
    "float8": -decimal.Decimal(sys.float_info.max),
}

#: The earliest day date and timestamps hold (PostgreSQL's Julian day 0).
_FIRST_DAY = "4714-11-24 BC"
#: The first year and month that start inside the range, where truncating is safe.
_SAFE_FROM = {"year": "4713-01-01 BC", "month": "4714-12-01 BC"}
#: ``date_trunc(unit, timestamp '294276-12-31')``, for dates past the timestamp range.
_LAST_TRUNCATED = {"year": "294276-01-01 00:00:00", "month": "294276-12-01 00:00:00"}


@dataclass(frozen=True)
class Column:
    """One output column of a view's query, as PostgreSQL describes it."""

    name: str
    type_sql: str  # format_type() of the base type, schema-qualified unless in pg_catalog
    base_type: str  # pg_type.typname of the base type (domains resolved), e.g. "varchar"
    typmod: int = -1


# -- building blocks that cannot be hijacked ------------------------------------------------


def fn(name: str, *args: sql.Composable) -> sql.Composed:
    """``pg_catalog.name(args)``."""
    return sql.SQL("{}({})").format(sql.Identifier("pg_catalog", name), sql.SQL(", ").join(args))


def op(left: sql.Composable, operator: str, right: sql.Composable) -> sql.Composed:
    """``(left OPERATOR(pg_catalog.operator) right)``."""
    return sql.SQL("({} OPERATOR(pg_catalog.{}) {})").format(left, sql.SQL(operator), right)


def typed(value: object, type_name: str) -> sql.Composed:
    """A literal of a built-in type: ``CAST('x' AS pg_catalog.type)``."""
    return cast(sql.Literal(str(value)), sql.SQL(f"pg_catalog.{type_name}"))


def cast(expression: sql.Composable, type_sql: sql.Composable) -> sql.Composed:
    return sql.SQL("CAST(({}) AS {})").format(expression, type_sql)


def _as_column_type(expression: sql.Composable, column: Column) -> sql.Composed:
    return cast(expression, sql.SQL(column.type_sql))


def _case(
    *branches: tuple[sql.Composable, sql.Composable], otherwise: sql.Composable
) -> sql.Composed:
    whens = [sql.SQL("WHEN {} THEN {}").format(cond, value) for cond, value in branches]
    return sql.SQL("CASE {} ELSE {} END").format(sql.SQL(" ").join(whens), otherwise)


def _text(ref: sql.Composable) -> sql.Composed:
    return cast(ref, sql.SQL("pg_catalog.text"))


def _key_pad(name: str) -> sql.Composed:
    return sql.SQL("(SELECT {} FROM {}.{})").format(
        sql.Identifier(name), sql.Identifier(STATE_SCHEMA), sql.Identifier(KEY_TABLE)
    )


# -- the rules ------------------------------------------------------------------------------


def _with_era(
    formatted: sql.Composable, ref: sql.Composable, first_ad: sql.Composable
) -> sql.Composed:
    """Add `` BC`` to dates before year 1, which ``YYYY`` prints without a sign."""
    return op(
        formatted,
        "||",
        _case((op(ref, "<", first_ad), sql.Literal(" BC")), otherwise=sql.Literal("")),
    )


def _hash_input(ref: sql.Composable, column: Column) -> sql.Composed:
    """The value as bytes, formatted the same in every session.

    Dates and times are written in a fixed format (``timestamptz`` in UTC)
    because their text form follows DateStyle and TimeZone; infinities keep
    their text form. The text is converted to the database's own encoding,
    a conversion that cannot fail.
    """
    base = column.base_type
    if base in TIME_TYPES:
        moment: sql.Composable
        if base == "timestamptz":
            moment = fn("timezone", typed("UTC", "text"), ref)
            first_ad = typed("0001-01-01 00:00:00+00", "timestamptz")
            pattern = "YYYY-MM-DD HH24:MI:SS.US"
        elif base == "timestamp":
            moment, first_ad = ref, typed("0001-01-01 00:00:00", "timestamp")
            pattern = "YYYY-MM-DD HH24:MI:SS.US"
        else:
            moment = cast(ref, sql.SQL("pg_catalog.timestamp"))
            first_ad = typed("0001-01-01", "date")
            pattern = "YYYY-MM-DD"
        finite = fn("isfinite", ref)
        if base == "date":  # the timestamp range ends before the date range does
            finite = sql.SQL("({} AND {})").format(
                finite, op(ref, "<=", typed("294276-12-31", "date"))
            )
        formatted = _with_era(fn("to_char", moment, typed(pattern, "text")), ref, first_ad)
        text: sql.Composable = _case((finite, formatted), otherwise=_text(ref))
    else:
        text = _text(ref)
    return fn("convert_to", text, fn("getdatabaseencoding"))


def _hash(ref: sql.Composable, column: Column) -> sql.Composed:
    inner = fn("sha256", op(_key_pad("ipad"), "||", _hash_input(ref, column)))
    digest = fn("sha256", op(_key_pad("opad"), "||", inner))
    # every step is strict, so NULL stays NULL without a CASE to plan
    # cut the bytes, then write them as hex: half the encoding work of the reverse
    kept = fn("substr", digest, typed(1, "int4"), typed(HASH_BYTES, "int4"))
    return fn("encode", kept, typed("hex", "text"))


def _email(ref: sql.Composable) -> sql.Composed:
    t = _text(ref)
    # LIKE in the "C" collation: a nondeterministic (case-insensitive) collation
    # on the column would make LIKE raise on PostgreSQL before 18
    c = sql.SQL('{} COLLATE pg_catalog."C"').format(t)
    shaped = sql.SQL("({} AND NOT {})").format(
        op(c, "~~", typed("_%@_%", "text")), op(c, "~~", typed("%@%@%", "text"))
    )
    masked = op(
        op(fn("left", t, typed(1, "int4")), "||", typed("***@", "text")),
        "||",
        fn("split_part", t, typed("@", "text"), typed(2, "int4")),
    )
    return _case(
        (sql.SQL("{} IS NULL").format(ref), sql.SQL("NULL")),
        (shaped, masked),
        otherwise=typed("***", "text"),
    )


def _partial(ref: sql.Composable, keep_start: int, keep_end: int, fill: str) -> sql.Composed:
    t = _text(ref)
    length = fn("char_length", t)
    start, end, pad = typed(keep_start, "int4"), typed(keep_end, "int4"), typed(fill, "text")
    kept = typed(keep_start + keep_end, "int4")  # added here, not at every planning
    middle = fn("repeat", pad, op(length, "-", kept))
    masked = op(op(fn("left", t, start), "||", middle), "||", fn("right", t, end))
    return _case(
        (sql.SQL("{} IS NULL").format(ref), sql.SQL("NULL")),
        (op(length, "<=", kept), fn("repeat", pad, length)),
        otherwise=masked,
    )


def _truncate(ref: sql.Composable, column: Column, unit: str) -> sql.Composed:
    """Dates and times truncated; the earliest values, whose truncation would fall
    before the first representable day, give that day instead of an error."""
    base = column.base_type
    if unit in ("day", "hour"):
        if base == "date":
            return sql.SQL("{}").format(ref)
        # the first day starts at midnight, so nothing truncates out of range, and
        # date_trunc returns infinities as they are: no CASE to plan on every query
        return _date_trunc(ref, base, unit)
    # midnight, in UTC for timestamptz: the sync session's TimeZone must not move it
    time = {"date": "", "timestamp": " 00:00:00"}.get(base, " 00:00:00+00")
    branches = [
        (sql.SQL("NOT {}").format(fn("isfinite", ref)), ref),
        (op(ref, "<", typed(_SAFE_FROM[unit] + time, base)), typed(_FIRST_DAY + time, base)),
    ]
    if base != "date":
        return _case(*branches, otherwise=_date_trunc(ref, base, unit))
    # through timestamp (no time zone involved), whose range ends before date's
    branches.append(
        (op(ref, ">", typed("294276-12-31", "date")), typed(_LAST_TRUNCATED[unit], "timestamp"))
    )
    as_timestamp = cast(ref, sql.SQL("pg_catalog.timestamp"))
    return _case(*branches, otherwise=_date_trunc(as_timestamp, "timestamp", unit))


def _date_trunc(ref: sql.Composable, base: str, unit: str) -> sql.Composed:
    if base == "timestamptz":
        # in UTC, so every session, whatever its TimeZone, sees the same value
        return fn("date_trunc", typed(unit, "text"), ref, typed("UTC", "text"))
    return fn("date_trunc", typed(unit, "text"), ref)


def _bucket(
    ref: sql.Composable, column: Column, width: int | float | decimal.Decimal
) -> sql.Composed:
    """Floor to a multiple of ``width`` with exact numeric arithmetic.

    ``mod()`` on numeric is exact, unlike division, which rounds to a
    computed scale; ``mod(mod(x, w) + w, w)`` is the distance down to the
    floor multiple. Floats go through numeric too (float division can
    underflow or overflow) and keep NaN and the infinities as they are.
    """
    step = decimal.Decimal(str(width))
    w = typed(step, "numeric")
    x = cast(ref, sql.SQL("pg_catalog.numeric"))
    floored = op(x, "-", fn("mod", op(fn("mod", x, w), "+", w), w))
    if column.base_type in FLOAT_TYPES:
        special = sql.SQL("{} OPERATOR(pg_catalog.=) ANY ({})").format(
            cast(ref, sql.SQL("pg_catalog.float8")),
            cast(sql.Literal("{NaN,Infinity,-Infinity}"), sql.SQL("pg_catalog.float8[]")),
        )
        c = typed(_lowest_multiple(_FLOAT_LOWEST[column.base_type], step), "numeric")
        # near the type's lowest value the floor would not fit: use the lowest multiple
        return _case((special, ref), (op(x, "<", c), c), otherwise=floored)
    low = _lowest(column)
    if low is None:
        return floored
    # below the lowest multiple the type holds, the floor would not fit: use that multiple
    c = typed(_lowest_multiple(low, step), "numeric")
    return _case((op(x, "<", c), c), otherwise=floored)


def _lowest_multiple(low: decimal.Decimal, step: decimal.Decimal) -> decimal.Decimal:
    """The smallest multiple of ``step`` that is >= ``low`` (``low`` is negative)."""
    with decimal.localcontext() as context:
        context.prec = 1000  # float8's range has 309 digits before the point
        return -((-low) // step) * step


def _numeric_scale(typmod: int) -> tuple[int, int] | None:
    """``(precision, scale)`` of a ``numeric(p,s)`` typmod; the scale is a signed
    11-bit number (negative scales exist from PostgreSQL 15)."""
    if typmod < 4:
        return None
    precision = ((typmod - 4) >> 16) & 0xFFFF
    scale = (typmod - 4) & 0x7FF
    if scale & 0x400:
        scale -= 0x800
    return precision, scale


def _lowest(column: Column) -> decimal.Decimal | None:
    """The smallest value the column's type holds, when bounded."""
    if column.base_type in INTEGER_TYPES:
        return decimal.Decimal(INTEGER_TYPES[column.base_type][0])
    ps = _numeric_scale(column.typmod) if column.base_type == "numeric" else None
    if ps is None:
        return None
    precision, scale = ps
    return -(decimal.Decimal(10) ** (precision - scale)) + decimal.Decimal(10) ** -scale


def mask_expression(rule: RedactRule, ref: sql.Composable, column: Column) -> sql.Composed:
    """The masking expression of ``rule`` applied to ``ref``, of the column's type.

    Every branch is written so that no value, NULL, empty or malformed, can
    make it raise: an error message would show the raw value, and an error
    on some rows only tells which rows hold such values.
    """
    kind, p = rule.kind, rule.params
    if kind == "null":
        return _as_column_type(sql.SQL("NULL"), column)
    if kind == "constant":
        return _as_column_type(sql.Literal(p["value"]), column)
    if kind == "hash":
        return _hash(ref, column)
    if kind == "email":
        return _as_column_type(_email(ref), column)
    if kind == "partial":
        return _as_column_type(_partial(ref, p["keep_start"], p["keep_end"], p["fill"]), column)
    if kind == "truncate":
        return _as_column_type(_truncate(ref, column, p["unit"]), column)
    if kind == "bucket":
        return _as_column_type(_bucket(ref, column, p["width"]), column)
    if kind == "sql":
        pieces = str(p["template"]).split("{column}")
        parts: list[sql.Composable] = [sql.SQL(pieces[0])]
        for piece in pieces[1:]:
            parts.extend([ref, sql.SQL(piece)])
        return _as_column_type(sql.Composed(parts), column)
    raise ValueError(f"unknown redaction rule {kind!r}")


def type_problem(rule: RedactRule, column: Column) -> str | None:
    """Why ``rule`` cannot mask ``column``, or ``None``."""
    accepted = ACCEPTED.get(rule.kind)
    if accepted is not None and column.base_type not in accepted:
        return f"Redact.{rule.kind}() cannot mask a column of type {column.type_sql}"
    if rule.kind == "bucket" and column.base_type not in FLOAT_TYPES:
        width = decimal.Decimal(str(rule.params["width"]))
        finest = decimal.Decimal(1)
        if column.base_type == "numeric":
            ps = _numeric_scale(column.typmod)
            finest = decimal.Decimal(10) ** -ps[1] if ps else decimal.Decimal(0)
        if finest and width % finest:
            return (
                f"Redact.bucket({rule.params['width']!r}) is not a whole multiple of "
                f"{finest}, the finest step of {column.type_sql}"
            )
    return None


def masked_query(
    body: str,
    columns: Sequence[Column],
    redact: Mapping[str, RedactRule],
    label: str,
) -> sql.Composed:
    """Wrap ``body`` so the columns named in ``redact`` come out masked.

    Raises:
        ViewDeclarationError: a redacted column does not exist, or the rule
            cannot mask its type. The message names the view and column.
    """
    names = [c.name for c in columns]
    for column_name in redact:
        if column_name not in names:
            raise ViewDeclarationError(
                f"{label}: redact names column {column_name!r}, which the view does not "
                f"have (its columns: {', '.join(names)})"
            )
    items: list[sql.Composable] = []
    for column in columns:
        ref = sql.Identifier(SOURCE_ALIAS, column.name)
        rule = redact.get(column.name)
        if rule is None:
            items.append(ref)
            continue
        problem = type_problem(rule, column)
        if problem:
            raise ViewDeclarationError(f"{label}: column {column.name!r}: {problem}")
        items.append(
            sql.SQL("{} AS {}").format(
                mask_expression(rule, ref, column), sql.Identifier(column.name)
            )
        )
    return sql.SQL("SELECT {items}\nFROM (\n{body}\n) AS {alias}").format(
        items=sql.SQL(",\n       ").join(items),
        body=sql.SQL(body),
        alias=sql.Identifier(SOURCE_ALIAS),
    )
