"""Grant reconciliation: pure functions from wanted and current privileges to SQL.

Each role in a view's ``grant_to`` gets ``SELECT`` on the view and
``USAGE`` on its schema, nothing else: no grant option, never PUBLIC.
Whatever else is found on a managed view (a grant made by hand, a role
dropped from ``grant_to``) is revoked.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

from psycopg import sql

PUBLIC = "PUBLIC"


@dataclass(frozen=True, order=True)
class Privilege:
    """One ACL entry: ``grantee`` (a role name, or ``PUBLIC``) holds ``privilege``."""

    grantee: str
    privilege: str
    grantable: bool = False


def _role(name: str) -> sql.Composable:
    return sql.SQL(PUBLIC) if name == PUBLIC else sql.Identifier(name)


def _qualified(schema: str, name: str) -> sql.Composed:
    return sql.SQL(".").join([sql.Identifier(schema), sql.Identifier(name)])


def view_statements(
    schema: str, name: str, grant_to: Iterable[str], current: Set[Privilege]
) -> list[sql.Composed]:
    """Statements that make a view's ACL exactly ``SELECT`` for ``grant_to``."""
    wanted = {Privilege(role, "SELECT") for role in grant_to}
    view = _qualified(schema, name)
    out: list[sql.Composed] = []
    revoked = sorted({p.grantee for p in current - wanted})
    for grantee in revoked:
        # CASCADE: also what the grantee passed on, had it been given a grant option
        out.append(sql.SQL("REVOKE ALL ON {} FROM {} CASCADE").format(view, _role(grantee)))
    for role in sorted(set(grant_to)):
        # after any CASCADE, grant again: it may have taken a wanted grant made
        # by another grantor along with it
        if Privilege(role, "SELECT") not in current or revoked:
            out.append(sql.SQL("GRANT SELECT ON {} TO {}").format(view, _role(role)))
    return out


def schema_statements(
    schema: str,
    grant_to: Iterable[str],
    current: Set[Privilege],
    *,
    keep: Set[str] = frozenset(),
    restricted: Set[str] = frozenset({PUBLIC}),
) -> list[sql.Composed]:
    """Statements that give ``grant_to`` ``USAGE`` on the schema and take back the rest.

    Args:
        keep: grantees that also hold privileges on objects sync does not
            manage in this schema; their plain ``USAGE`` is theirs to keep.
        restricted: PUBLIC, the grantees and their members: none of them may
            hold anything but plain ``USAGE`` (``CREATE`` would let an analyst
            put objects beside the views, a grant option pass access on).
    """
    wanted = set(grant_to)
    target = sql.Identifier(schema)
    out: list[sql.Composed] = []
    revoked: set[str] = set()
    for privilege in sorted(current):
        grantee = privilege.grantee
        plain_usage = privilege == Privilege(grantee, "USAGE")
        if grantee in restricted and not plain_usage:
            out.append(
                sql.SQL("REVOKE {} ON SCHEMA {} FROM {} CASCADE").format(
                    sql.SQL(privilege.privilege), target, _role(grantee)
                )
            )
            revoked.add(grantee)
        elif privilege.privilege == "USAGE" and grantee not in wanted and grantee not in keep:
            out.append(
                sql.SQL("REVOKE USAGE ON SCHEMA {} FROM {} CASCADE").format(target, _role(grantee))
            )
            revoked.add(grantee)
    holders = {p.grantee for p in current if p.privilege == "USAGE"}
    if revoked:
        holders = set()  # a CASCADE may have taken wanted grants along: grant them again
    for role in sorted(wanted - holders):
        out.append(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(target, _role(role)))
    return out
