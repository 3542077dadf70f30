"""Which model fields a view exposes, for the personal-data lint in ``manage.py check``.

Queryset views are read from Django's compiler, SQL views from the parse
tree (plain column references to tables of installed models; anything
more complex is not traced).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model
from django.db.models.expressions import Col
from pglast.parser import ParseError, parse_sql_json

from django_orm_views.views import PostgresView, PostgresViewFromQueryset, PostgresViewFromSQL


def field_label(field: Field) -> str:  # type: ignore[type-arg]
    """``app_label.Model.field``, the form ``SENSITIVE_FIELDS`` uses."""
    meta = field.model._meta
    return f"{meta.app_label}.{meta.object_name}.{field.name}"


def exposed_fields(view: type[PostgresView]) -> list[tuple[str, Field]]:  # type: ignore[type-arg]
    """``(column, model field)`` for each output column traced to a model field."""
    if issubclass(view, PostgresViewFromQueryset):
        return list(_queryset_fields(view))
    if issubclass(view, PostgresViewFromSQL):
        return list(_sql_fields(view.sql))
    return []


def _queryset_fields(view: type[PostgresViewFromQueryset]) -> Iterator[tuple[str, Field]]:  # type: ignore[type-arg]
    query = view.build_queryset().query
    compiler = query.get_compiler(connection=connections[DEFAULT_DB_ALIAS])
    compiler.setup_query()
    for expression, _sql, alias in compiler.select:
        if isinstance(expression, Col):
            yield str(alias or expression.target.column), expression.target


def _models_by_table() -> dict[str, type[Model]]:
    return {model._meta.db_table: model for model in apps.get_models()}


def _sql_fields(sql: str) -> Iterator[tuple[str, Field]]:  # type: ignore[type-arg]
    try:
        statements = json.loads(parse_sql_json(sql)).get("stmts", [])
    except ParseError:
        return  # sync reports the syntax error
    if len(statements) != 1 or "SelectStmt" not in statements[0]["stmt"]:
        return
    select: dict[str, Any] = statements[0]["stmt"]["SelectStmt"]
    tables = _from_tables(select.get("fromClause", []), _models_by_table())
    for item in select.get("targetList", []):
        target = item["ResTarget"]
        reference = target.get("val", {}).get("ColumnRef")
        if reference is None:
            continue  # an expression: not traced
        parts = [p["String"]["sval"] if "String" in p else "*" for p in reference["fields"]]
        if parts[-1] == "*":
            models = list(dict.fromkeys(tables.values()))
            if len(parts) == 2:
                models = [tables[parts[0]]] if parts[0] in tables else []
            for model in models:
                for field in model._meta.concrete_fields:
                    yield str(field.column), field
            continue
        column = parts[-1]
        candidates = list(dict.fromkeys(tables.values()))
        if len(parts) >= 2:
            candidates = [tables[parts[-2]]] if parts[-2] in tables else []
        fields = [f for m in candidates for f in m._meta.concrete_fields if f.column == column]
        if len(fields) == 1:
            yield target.get("name", column), fields[0]


def _from_tables(items: list[Any], models: dict[str, type[Model]]) -> dict[str, type[Model]]:
    """Alias (or table name) -> model, for tables of installed models in a FROM list."""
    found: dict[str, type[Model]] = {}
    for item in items:
        if "JoinExpr" in item:
            join = item["JoinExpr"]
            found.update(_from_tables([join["larg"], join["rarg"]], models))
        elif "RangeVar" in item:
            range_var = item["RangeVar"]
            model = models.get(range_var["relname"])
            if model is not None and range_var.get("schemaname", "public") == "public":
                alias = range_var.get("alias", {}).get("aliasname", range_var["relname"])
                found[alias] = model
    return found
