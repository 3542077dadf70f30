"""Reading view SQL with PostgreSQL's own parser, and ordering views by dependency.

Pure functions: no database, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pglast.visitors import Visitor

from django_orm_views.exceptions import DependencyError, ViewDeclarationError

Key = tuple[str, str]


class _QualifiedRelations(Visitor):
    """Collects ``schema.relation`` names of every RangeVar in a statement."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[Key] = set()

    def visit_RangeVar(self, ancestors: object, node: ast.RangeVar) -> None:
        if node.schemaname and node.relname:
            self.found.add((node.schemaname, node.relname))


def read_query(sql: str, label: str) -> tuple[str, set[Key]]:
    """Return ``sql`` as one SELECT (or VALUES/WITH) statement, trimmed, and
    the schema-qualified relations it reads.

    The text is kept exactly as written apart from surrounding blanks and
    a trailing semicolon. More than one statement, or anything but a query,
    is refused: the body is sent to the server as written and must not be
    able to smuggle in another command.
    """
    try:
        statements = parse_sql(sql)
    except ParseError as exc:
        raise ViewDeclarationError(f"{label}: the view's SQL does not parse: {exc}") from exc
    if len(statements) != 1:
        raise ViewDeclarationError(
            f"{label}: the view's SQL must be one SELECT statement, found {len(statements)}"
        )
    raw = statements[0]
    if not isinstance(raw.stmt, ast.SelectStmt):
        kind = type(raw.stmt).__name__
        raise ViewDeclarationError(f"{label}: the view's SQL must be a SELECT, not {kind}")
    if raw.stmt.intoClause is not None:
        raise ViewDeclarationError(f"{label}: the view's SQL must not be SELECT ... INTO")
    # pglast reports locations in characters of the text; 0 length means "to the end".
    start = raw.stmt_location or 0
    end = start + raw.stmt_len if raw.stmt_len else len(sql)
    visitor = _QualifiedRelations()
    visitor(raw)
    return sql[start:end].strip().rstrip(";").rstrip(), visitor.found


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
