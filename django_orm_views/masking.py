"""Rendering ``Redact`` rules as SQL: pure functions, no database.

A redacted view wraps the declared query and replaces each redacted
column by an expression of the same name and type::

    SELECT <mask>::<type> AS "email", "unmasked"."id", ...
    FROM (<declared query>) AS "unmasked"

PostgreSQL flattens the subquery, so filters on unmasked columns still
reach the base table's indexes.
"""

from __future__ import annotations

import decimal
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
#: Hex digits kept from the HMAC-SHA256 (128 bits).
HASH_HEX_DIGITS = 32

TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "citext", "name"})
INTEGER_TYPES = {
    "int2": (-(2**15), 2**15 - 1),
    "int4": (-(2**31), 2**31 - 1),
    "int8": (-(2**63), 2**63 - 1),
}
FLOAT_TYPES = frozenset({"float4", "float8"})
NUMBER_TYPES = frozenset({*INTEGER_TYPES, *FLOAT_TYPES, "numeric"})
TIME_TYPES = frozenset({"date", "timestamp", "timestamptz"})

#: Base types each rule accepts; ``None`` means every type.
ACCEPTED: dict[str, frozenset[str] | None] = {
    "null": None,
    "constant": None,
    "hash": None,
    "sql": None,
    "email": TEXT_TYPES,
    "partial": TEXT_TYPES,
    "truncate": TIME_TYPES,
    "bucket": NUMBER_TYPES,
}


@dataclass(frozen=True)
class Column:
    """One output column of a view's query, as PostgreSQL describes it."""

    name: str
    type_sql: str  # format_type() output, e.g. "character varying(254)"
    base_type: str  # pg_type.typname of the (domain's) base type, e.g. "varchar"
    typmod: int = -1


def _cast(expression: sql.Composable, column: Column) -> sql.Composed:
    return sql.SQL("CAST(({}) AS {})").format(expression, sql.SQL(column.type_sql))


def _key_pad(name: str) -> sql.Composed:
    return sql.SQL("(SELECT {} FROM {}.{})").format(
        sql.Identifier(name), sql.Identifier(STATE_SCHEMA), sql.Identifier(KEY_TABLE)
    )


def _hash_input(ref: sql.Composable, column: Column) -> sql.Composed:
    """The column as text, formatted the same in every session.

    ``timestamptz::text`` follows the session's TimeZone and DateStyle, so
    times are formatted explicitly in UTC; other types use their text form.
    """
    if column.base_type == "timestamptz":
        text = sql.SQL("to_char(({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')").format(ref)
    elif column.base_type == "timestamp":
        text = sql.SQL("to_char({}, 'YYYY-MM-DD HH24:MI:SS.US')").format(ref)
    elif column.base_type == "date":
        text = sql.SQL("to_char({}, 'YYYY-MM-DD')").format(ref)
    else:
        text = sql.SQL("CAST({} AS text)").format(ref)
    return sql.SQL("convert_to({}, 'UTF8')").format(text)


def _bucket(
    ref: sql.Composable, column: Column, width: int | float | decimal.Decimal
) -> sql.Composed:
    if column.base_type in FLOAT_TYPES:
        # floats carry +-Infinity and NaN through floor() without error
        return sql.SQL("floor({} / {}) * {}").format(
            ref, sql.Literal(float(width)), sql.Literal(float(width))
        )
    step = decimal.Decimal(str(width))
    w = sql.Literal(step)
    x = sql.SQL("CAST({} AS numeric)").format(ref)
    # mod() on numeric is exact, unlike division, which rounds to a computed
    # scale; mod(mod(x, w) + w, w) is the distance down to the floor multiple
    floored = sql.SQL("({x} - mod(mod({x}, {w}) + {w}, {w}))").format(x=x, w=w)
    low = _lowest(column)
    if low is None:
        return floored
    # below the lowest multiple the type holds, the floor would not fit: use that multiple
    lowest_multiple = -((-low) // step) * step if low % step else low
    return sql.SQL("CASE WHEN {x} < {c} THEN {c} ELSE {f} END").format(
        x=x, c=sql.Literal(lowest_multiple), f=floored
    )


def _lowest(column: Column) -> decimal.Decimal | None:
    """The smallest value the column's type holds, when bounded."""
    if column.base_type in INTEGER_TYPES:
        return decimal.Decimal(INTEGER_TYPES[column.base_type][0])
    if column.base_type == "numeric" and column.typmod >= 4:
        precision = ((column.typmod - 4) >> 16) & 0xFFFF
        scale = (column.typmod - 4) & 0x7FF
        return -(decimal.Decimal(10) ** (precision - scale)) + decimal.Decimal(10) ** -scale
    return None


def mask_expression(rule: RedactRule, ref: sql.Composable, column: Column) -> sql.Composed:
    """The masking expression of ``rule`` applied to ``ref``, of the column's type.

    Every branch is written so that no value, NULL, empty or malformed, can
    make it raise: an error message would show the raw value.
    """
    kind, p = rule.kind, rule.params
    if kind == "null":
        return _cast(sql.SQL("NULL"), column)
    if kind == "constant":
        return _cast(sql.Literal(p["value"]), column)
    if kind == "hash":
        digest = sql.SQL(
            "left(encode(sha256({opad} || sha256({ipad} || {value})), 'hex'), {n})"
        ).format(
            opad=_key_pad("opad"),
            ipad=_key_pad("ipad"),
            value=_hash_input(ref, column),
            n=sql.Literal(HASH_HEX_DIGITS),
        )
        return sql.SQL("CASE WHEN {} IS NULL THEN NULL ELSE {} END").format(ref, digest)
    if kind == "email":
        text = sql.SQL("CAST({} AS text)").format(ref)
        expression = sql.SQL(
            "CASE WHEN {t} IS NULL THEN NULL"
            " WHEN {t} LIKE '_%@_%' AND {t} NOT LIKE '%@%@%'"
            " THEN left({t}, 1) || '***@' || split_part({t}, '@', 2)"
            " ELSE '***' END"
        ).format(t=text)
        return _cast(expression, column)
    if kind == "partial":
        text = sql.SQL("CAST({} AS text)").format(ref)
        start, end = sql.Literal(p["keep_start"]), sql.Literal(p["keep_end"])
        fill = sql.Literal(p["fill"])
        expression = sql.SQL(
            "CASE WHEN {t} IS NULL THEN NULL"
            " WHEN char_length({t}) <= {s} + {e} THEN repeat({f}, char_length({t}))"
            " ELSE left({t}, {s}) || repeat({f}, char_length({t}) - {s} - {e})"
            " || right({t}, {e}) END"
        ).format(t=text, s=start, e=end, f=fill)
        return _cast(expression, column)
    if kind == "truncate":
        unit = sql.Literal(p["unit"])
        if column.base_type == "timestamptz":
            # truncated in UTC so every session, whatever its TimeZone, sees the same value
            expression = sql.SQL("date_trunc({}, {}, 'UTC')").format(unit, ref)
        else:
            # a date goes through timestamp, not timestamptz, so no time zone is involved
            source = (
                ref
                if column.base_type == "timestamp"
                else sql.SQL("CAST({} AS timestamp)").format(ref)
            )
            expression = sql.SQL("date_trunc({}, {})").format(unit, source)
        return _cast(expression, column)
    if kind == "bucket":
        return _cast(_bucket(ref, column, p["width"]), column)
    if kind == "sql":
        pieces = str(p["template"]).split("{column}")
        parts: list[sql.Composable] = [sql.SQL(pieces[0])]
        for piece in pieces[1:]:
            parts.extend([ref, sql.SQL(piece)])
        return _cast(sql.Composed(parts), column)
    raise ValueError(f"unknown redaction rule {kind!r}")


def type_problem(rule: RedactRule, column: Column) -> str | None:
    """Why ``rule`` cannot mask ``column``, or ``None``."""
    accepted = ACCEPTED.get(rule.kind)
    if accepted is not None and column.base_type not in accepted:
        return f"Redact.{rule.kind}() cannot mask a column of type {column.type_sql}"
    if rule.kind == "bucket" and column.base_type in INTEGER_TYPES:
        width = rule.params["width"]
        if decimal.Decimal(str(width)) != decimal.Decimal(str(width)).to_integral_value():
            return f"Redact.bucket({width!r}) on integer column needs a whole width"
    return None


def result_type(rule: RedactRule, column: Column) -> str:
    """SQL type of the masked column: the column's own, except ``hash`` (text)."""
    return "text" if rule.kind == "hash" else column.type_sql


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
