"""Planning: compare the code's definitions with the catalog and decide what changes.

Pure functions over ``ViewDefinition`` and ``CatalogState``; the plan can be
printed (``--dry-run``), checked, or applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django_orm_views.catalog import VIEW_RELKINDS, CatalogState, Dependent, Record, Relation
from django_orm_views.definition import Key, ViewDefinition
from django_orm_views.exceptions import DependencyError, UnmanagedObjectError
from django_orm_views.graph import order


@dataclass(frozen=True)
class Install:
    """Create (``replace=False``) or ``CREATE OR REPLACE`` one view."""

    definition: ViewDefinition
    replace: bool
    reason: str


@dataclass(frozen=True)
class Drop:
    """Drop a managed view that the code no longer declares."""

    record: Record
    relation: Relation


@dataclass
class Plan:
    """What sync will do, in the order it will do it."""

    create_state_table: bool = False
    create_schemas: list[str] = field(default_factory=list)
    installs: list[Install] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)
    forget: list[Key] = field(default_factory=list)
    unchanged: list[ViewDefinition] = field(default_factory=list)
    definitions: dict[Key, ViewDefinition] = field(default_factory=dict)

    @property
    def created(self) -> list[Install]:
        return [i for i in self.installs if not i.replace]

    @property
    def replaced(self) -> list[Install]:
        return [i for i in self.installs if i.replace]

    @property
    def has_changes(self) -> bool:
        """Whether applying would change anything that users can see."""
        return bool(self.create_schemas or self.installs or self.drops or self.forget)

    def differences(self) -> list[str]:
        """One line per difference between code and database, for ``--check``."""
        lines = [f"schema {schema}: missing" for schema in self.create_schemas]
        for install in self.installs:
            lines.append(
                f"{install.definition.qualified_name} ({install.definition.label}): "
                f"{install.reason}"
            )
        for drop in self.drops:
            lines.append(f"{drop.record.schema}.{drop.record.name}: no longer declared")
        for schema, name in self.forget:
            lines.append(f"{schema}.{name}: recorded as managed but gone")
        return lines


def _describe(relation: Relation) -> str:
    return f"{relation.kind_name} {relation.schema}.{relation.name}"


def _is_ours(record: Record | None, relation: Relation) -> bool:
    """Whether ``relation`` is the view sync created, not one made by hand in its place.

    A view keeps its OID through ``CREATE OR REPLACE``; a new OID with our
    last definition means a dump and restore, anything else a hand-made object.
    """
    if record is None or VIEW_RELKINDS.get(relation.relkind) != record.kind:
        return False
    return record.oid is None or record.oid == relation.oid or record.viewdef == relation.viewdef


def make_plan(
    definitions: Sequence[ViewDefinition],
    state: CatalogState,
    *,
    force: bool = False,
) -> Plan:
    """Decide what to create, replace and drop so the schemas match ``definitions``.

    Raises:
        UnmanagedObjectError: a declared view's name is taken by an object
            sync did not create.
    """
    plan = Plan(create_state_table=not state.state_table_exists)
    plan.definitions = {d.key: d for d in definitions}
    schemas = sorted({d.schema for d in definitions} - state.existing_schemas)
    plan.create_schemas = schemas

    for definition in definitions:
        relation = state.relations.get(definition.key)
        record = state.records.get(definition.key)
        if relation is None:
            plan.installs.append(Install(definition, False, "missing"))
            continue
        if not _is_ours(record, relation):
            raise UnmanagedObjectError(
                f"{definition.label}: {_describe(relation)} already exists and was not "
                "created by sync_views; it is left alone. Set `name` on the class or "
                "remove that object yourself."
            )
        assert record is not None
        reason = _difference(definition, record, relation, force)
        if reason:
            plan.installs.append(Install(definition, True, reason))
        else:
            plan.unchanged.append(definition)

    for key, record in sorted(state.records.items()):
        if key in plan.definitions:
            continue
        relation = state.relations.get(key)
        if relation is not None and _is_ours(record, relation):
            plan.drops.append(Drop(record, relation))
        else:
            plan.forget.append(key)  # gone, or replaced by hand: not ours to drop
    return plan


def _difference(
    definition: ViewDefinition, record: Record, relation: Relation, force: bool
) -> str | None:
    """Why an existing managed view must be replaced, or ``None``."""
    if force:
        return "rebuild forced"
    if record.digest != definition.digest:
        return "definition changed"
    if relation.viewdef != record.viewdef:
        return "changed outside sync_views (drift)"
    if "security_barrier=true" not in relation.options:
        return "security_barrier was removed outside sync_views"
    if record.columns is not None and relation.columns != record.columns:
        return "columns renamed outside sync_views"
    if relation.comment != definition.comment:
        return "comment changed"
    return None


def check_drops(
    plan: Plan,
    dependents: Iterable[Dependent],
    all_definitions: dict[Key, ViewDefinition],
) -> None:
    """Refuse drops that would break something, and order the rest.

    A view can be dropped when everything that depends on it is dropped
    too, or is a declared view whose new SQL no longer reads it.

    Raises:
        UnmanagedObjectError: a dependent object was not created by sync_views.
        DependencyError: a declared view still reads a view being dropped.
    """
    if not plan.drops:
        return
    by_oid = {d.relation.oid: d for d in plan.drops}
    edges: dict[Key, list[Key]] = {(d.record.schema, d.record.name): [] for d in plan.drops}
    for dep in dependents:
        drop = by_oid[dep.root]
        root_name = f"{drop.record.schema}.{drop.record.name}"
        dep_key = (dep.schema, dep.name) if dep.schema and dep.name else None
        if dep.view_oid in by_oid and dep_key is not None:
            edges[dep_key].append((drop.record.schema, drop.record.name))
            continue
        definition = all_definitions.get(dep_key) if dep_key else None
        if definition is None:
            raise UnmanagedObjectError(
                f"cannot drop {root_name} (no longer declared): {dep.description} depends "
                "on it and was not created by sync_views. Drop or change that object first; "
                "nothing was changed."
            )
    for definition in all_definitions.values():
        for key in definition.reads & edges.keys():
            raise DependencyError(
                f"{definition.label} reads {key[0]}.{key[1]}, which is no longer declared"
            )
    # edges: each dropped view -> the dropped views it is read by; drop readers first
    labels = {key: f"{key[0]}.{key[1]}" for key in edges}
    ordered = order({k: [r for r, deps in edges.items() if k in deps] for k in edges}, labels)
    rank = {key: i for i, key in enumerate(ordered)}
    plan.drops.sort(key=lambda d: rank[(d.record.schema, d.record.name)])
