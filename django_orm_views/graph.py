"""Reading view SQL with PostgreSQL's own parser, and ordering views by dependency.

Pure functions: no database, no Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pglast.parser import ParseError, parse_sql_json

from django_orm_views.exceptions import DependencyError, ViewDeclarationError

Key = tuple[str, str]


def _qualified_relations(tree: Any) -> set[Key]:
    """``(schema, relation)`` of every schema-qualified RangeVar in a parse tree."""
    found: set[Key] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            range_var = node.get("RangeVar")
            if isinstance(range_var, dict) and "schemaname" in range_var:
                found.add((range_var["schemaname"], range_var["relname"]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def read_query(sql: str, label: str) -> tuple[str, set[Key]]:
    """Return ``sql`` as one SELECT (or VALUES/WITH) statement, trimmed, and
    the schema-qualified relations it reads.

    The text is kept exactly as written apart from surrounding blanks and
    a trailing semicolon. More than one statement, or anything but a query,
    is refused: the body is sent to the server as written and must not be
    able to smuggle in another command.
    """
    # The JSON form of the parse tree is several times cheaper to build than
    # pglast's node objects, which matters with a thousand views per sync.
    try:
        statements = json.loads(parse_sql_json(sql)).get("stmts", [])
    except ParseError as exc:
        raise ViewDeclarationError(f"{label}: the view's SQL does not parse: {exc}") from exc
    if len(statements) != 1:
        raise ViewDeclarationError(
            f"{label}: the view's SQL must be one SELECT statement, found {len(statements)}"
        )
    raw = statements[0]
    kind, node = next(iter(raw["stmt"].items()))
    if kind != "SelectStmt":
        raise ViewDeclarationError(f"{label}: the view's SQL must be a SELECT, not {kind}")
    if "intoClause" in node:
        raise ViewDeclarationError(f"{label}: the view's SQL must not be SELECT ... INTO")
    # libpg_query reports byte offsets into the UTF-8 text; no length means "to the end".
    data = sql.encode()
    start = raw.get("stmt_location", 0)
    end = start + raw["stmt_len"] if raw.get("stmt_len") else len(data)
    body = data[start:end].decode().strip().rstrip(";").rstrip()
    return body, _qualified_relations(node)


def order(nodes: Mapping[Key, Sequence[Key]], labels: Mapping[Key, str]) -> list[Key]:
    """Order keys so each comes after what it depends on (stable for ties).

    Args:
        nodes: each key with the keys it depends on (all present in ``nodes``).
        labels: class labels, for the error naming a cycle.
    """
    done: set[Key] = set()
    visiting: list[Key] = []
    result: list[Key] = []

    def visit(key: Key) -> None:
        if key in done:
            return
        if key in visiting:
            cycle = [*visiting[visiting.index(key) :], key]
            names = " -> ".join(labels[k] for k in cycle)
            raise DependencyError(f"views depend on each other in a cycle: {names}")
        visiting.append(key)
        for dep in nodes[key]:
            visit(dep)
        visiting.pop()
        done.add(key)
        result.append(key)

    for key in nodes:
        visit(key)
    return result
