"""What one view should look like in the database, once rendered from its class."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from django_orm_views.masking import Column
from django_orm_views.redaction import RedactRule

Key = tuple[str, str]

#: Bumped when rendering changes in a way that must rebuild existing views.
#: 2: leaner masks; truncation clamps at 4714-11-24 BC, in UTC for timestamptz.
RENDER_VERSION = 2


@dataclass(frozen=True)
class ViewDefinition:
    """A view as the code wants it: the input of planning and rendering."""

    schema: str
    name: str
    label: str
    body: str
    comment: str | None = None
    depends_on: tuple[Key, ...] = ()
    options: tuple[str, ...] = ("security_barrier",)
    kind: str = "view"
    grant_to: tuple[str, ...] = field(default=())
    #: Every schema-qualified relation the body reads, managed or not.
    reads: frozenset[Key] = frozenset()
    #: ``(column, rule)`` pairs, in declaration order.
    redact: tuple[tuple[str, RedactRule], ...] = ()
    #: Output columns of ``body``, once described by the server (redacted views only).
    columns: tuple[Column, ...] | None = None

    @property
    def key(self) -> Key:
        return (self.schema, self.name)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @cached_property
    def digest(self) -> str:
        """Hash of everything that needs ``CREATE OR REPLACE`` when it changes."""
        rules = [[column, rule.kind, rule.params] for column, rule in self.redact]
        payload = json.dumps(
            [RENDER_VERSION, self.kind, self.body, list(self.options), rules], default=repr
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def uses_hash(self) -> bool:
        return any(rule.kind == "hash" for _, rule in self.redact)
