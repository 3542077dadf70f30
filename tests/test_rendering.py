"""SQL rendering, parsing and planning: pure functions, no database."""

from __future__ import annotations

import re

import pytest

from django_orm_views import sql as render
from django_orm_views.catalog import CatalogState, Dependent, Record, Relation
from django_orm_views.definition import ViewDefinition
from django_orm_views.exceptions import (
    DependencyError,
    UnmanagedObjectError,
    ViewDeclarationError,
)
from django_orm_views.graph import order, read_query
from django_orm_views.planning import check_drops, make_plan


def text(composable: object) -> str:
    return composable.as_string(None)  # type: ignore[attr-defined]


def definition(name: str, body: str = "SELECT 1", **kw: object) -> ViewDefinition:
    return ViewDefinition(schema="analytics", name=name, label=f"app.{name}", body=body, **kw)  # type: ignore[arg-type]


def test_create_view_quotes_identifiers_and_keeps_body_verbatim() -> None:
    view = ViewDefinition(
        schema="analytics",
        name='we"ird',
        label="x",
        body="SELECT 'a%' LIKE name, id % 7 FROM t -- trailing",
        comment="It's here",
    )
    assert text(render.install_view(view)) == (
        'CREATE VIEW "analytics"."we""ird" WITH (security_barrier) AS\n'
        "SELECT 'a%' LIKE name, id % 7 FROM t -- trailing\n"
        ';\nCOMMENT ON VIEW "analytics"."we""ird" IS \'It\'\'s here\''
    )
    assert text(render.create_view(view, replace=True)).startswith("CREATE OR REPLACE VIEW")
    assert text(render.drop_view("analytics", "v")) == 'DROP VIEW "analytics"."v"'
    assert text(render.comment_on_view(definition("v"))).endswith("IS NULL")


def test_read_query_trims_and_finds_qualified_relations() -> None:
    body, reads = read_query(
        "  WITH a AS (SELECT * FROM analytics.base) SELECT * FROM a, public.t, plain ; ",
        "app.V",
    )
    assert body == "WITH a AS (SELECT * FROM analytics.base) SELECT * FROM a, public.t, plain"
    assert reads == {("analytics", "base"), ("public", "t")}


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT 1; SELECT 2", "one SELECT statement, found 2"),
        ("DELETE FROM t", "not DeleteStmt"),
        ("SELECT 1 INTO t", "SELECT ... INTO"),
        ("SELEC 1", "does not parse"),
        ("", "found 0"),
    ],
)
def test_read_query_refuses_anything_but_one_select(sql: str, fragment: str) -> None:
    with pytest.raises(ViewDeclarationError, match=re.escape("app.V")) as info:
        read_query(sql, "app.V")
    assert fragment in str(info.value)


def test_order_puts_dependencies_first_and_names_cycles() -> None:
    a, b, c = ("s", "a"), ("s", "b"), ("s", "c")
    assert order({a: [b], b: [c], c: []}, {}) == [c, b, a]
    with pytest.raises(DependencyError, match="A -> B -> A"):
        order({a: [b], b: [a], c: []}, {a: "A", b: "B", c: "C"})


def _relation(name: str, oid: int, relkind: str = "v", viewdef: str = "def") -> Relation:
    return Relation("analytics", name, oid, relkind, viewdef, None, ("security_barrier=true",))


def _record(name: str, digest: str, oid: int, viewdef: str = "def") -> Record:
    return Record("analytics", name, "view", f"app.{name}", digest, viewdef, oid)


def test_plan_creates_replaces_drops_and_leaves_unchanged() -> None:
    same, changed, new = definition("same"), definition("changed", "SELECT 2"), definition("new")
    state = CatalogState(
        state_table_exists=True,
        existing_schemas={"analytics"},
        relations={
            ("analytics", "same"): _relation("same", 1),
            ("analytics", "changed"): _relation("changed", 2),
            ("analytics", "old"): _relation("old", 3),
            ("analytics", "handmade"): _relation("handmade", 4, relkind="r"),
        },
        records={
            ("analytics", "same"): _record("same", same.digest, 1),
            ("analytics", "changed"): _record("changed", "stale", 2),
            ("analytics", "old"): _record("old", "x", 3),
            ("analytics", "vanished"): _record("vanished", "x", 5),
        },
    )
    plan = make_plan([same, changed, new], state)
    assert [i.definition.name for i in plan.created] == ["new"]
    assert [(i.definition.name, i.reason) for i in plan.replaced] == [
        ("changed", "definition changed")
    ]
    assert [d.record.name for d in plan.drops] == ["old"]
    assert plan.forget == [("analytics", "vanished")]
    assert [d.name for d in plan.unchanged] == ["same"]
    assert not plan.create_schemas
    assert not plan.create_state_table


def test_plan_sees_drift_and_comment_changes() -> None:
    view = definition("v", comment="new comment")
    state = CatalogState(
        True,
        {"analytics"},
        relations={("analytics", "v"): _relation("v", 1, viewdef="edited by hand")},
        records={("analytics", "v"): _record("v", view.digest, 1)},
    )
    assert make_plan([view], state).installs[0].reason == "changed outside sync_views (drift)"
    state.relations[("analytics", "v")] = _relation("v", 1)
    assert make_plan([view], state).installs[0].reason == "comment changed"


def test_plan_refuses_a_name_taken_by_a_hand_made_object() -> None:
    state = CatalogState(
        True, {"analytics"}, relations={("analytics", "v"): _relation("v", 7, relkind="r")}
    )
    with pytest.raises(UnmanagedObjectError, match=re.escape("table analytics.v already exists")):
        make_plan([definition("v")], state)


def test_view_recreated_by_hand_is_not_ours_but_a_restored_one_is() -> None:
    view = definition("v")
    records = {("analytics", "v"): _record("v", view.digest, 1)}
    by_hand = CatalogState(
        True, {"analytics"}, {("analytics", "v"): _relation("v", 99, viewdef="other")}, records
    )
    with pytest.raises(UnmanagedObjectError):
        make_plan([view], by_hand)
    restored = CatalogState(True, {"analytics"}, {("analytics", "v"): _relation("v", 99)}, records)
    assert make_plan([view], restored).unchanged == [view]


def test_drops_refuse_unmanaged_dependents_and_order_readers_first() -> None:
    state = CatalogState(
        True,
        {"analytics"},
        relations={
            ("analytics", "base"): _relation("base", 1),
            ("analytics", "reader"): _relation("reader", 2),
        },
        records={
            ("analytics", "base"): _record("base", "x", 1),
            ("analytics", "reader"): _record("reader", "x", 2),
        },
    )
    plan = make_plan([], state)
    check_drops(plan, [Dependent(1, "view analytics.reader", 2, "analytics", "reader")], {})
    assert [d.record.name for d in plan.drops] == ["reader", "base"]

    plan = make_plan([], state)
    with pytest.raises(UnmanagedObjectError, match=re.escape("view public.mine")):
        check_drops(plan, [Dependent(1, "view public.mine", 9, "public", "mine")], {})

    still_reading = definition(
        "keeps", "SELECT * FROM analytics.base", reads=frozenset({("analytics", "base")})
    )
    plan = make_plan([], state)
    with pytest.raises(DependencyError, match=re.escape("app.keeps reads analytics.base")):
        check_drops(plan, [], {still_reading.key: still_reading})
