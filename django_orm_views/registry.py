"""The set of declared views, and discovery of ``postgres_views`` modules."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django_orm_views.exceptions import ViewDeclarationError

if TYPE_CHECKING:
    from django_orm_views.views import PostgresView

DISCOVERY_MODULE = "postgres_views"


class ViewRegistry:
    """Concrete view classes keyed by ``(schema, name)``."""

    def __init__(self) -> None:
        self._views: dict[tuple[str, str], type[PostgresView]] = {}
        self._keys: dict[str, tuple[str, str]] = {}  # class label -> key, for re-declarations

    def register(self, view: type[PostgresView]) -> None:
        """Add ``view``; a different class with the same schema and name is an error.

        Re-declaring the same class (same module and qualified name, as on
        a module reload) replaces the earlier one.
        """
        key = (view.schema, view.name)
        existing = self._views.get(key)
        if existing is not None and existing.label() != view.label():
            raise ViewDeclarationError(
                f"{view.label()} and {existing.label()} both declare the view "
                f"{view.qualified_name()}; set `name` on one of them"
            )
        previous = self._keys.get(view.label())
        if previous is not None and previous != key:
            old = self._views.get(previous)
            if old is not None and old.label() == view.label():
                del self._views[previous]
        self._views[key] = view
        self._keys[view.label()] = key

    def unregister(self, view: type[PostgresView]) -> None:
        """Forget ``view`` (for tests and reloads)."""
        key = (view.schema, view.name)
        if self._views.get(key) is view:
            del self._views[key]
            self._keys.pop(view.label(), None)

    def get(self, schema: str, name: str) -> type[PostgresView] | None:
        """The class declaring ``schema.name``, if any."""
        return self._views.get((schema, name))

    def views(self, schemas: Iterable[str] | None = None) -> list[type[PostgresView]]:
        """Every view, or those in ``schemas``, in declaration order."""
        wanted = None if schemas is None else set(schemas)
        return [v for v in self._views.values() if wanted is None or v.schema in wanted]

    def __iter__(self) -> Iterator[type[PostgresView]]:
        return iter(list(self._views.values()))

    def __len__(self) -> int:
        return len(self._views)


registry = ViewRegistry()


def autodiscover() -> None:
    """Import every installed app's ``postgres_views`` module or package.

    An app without one is skipped; an error raised while importing one
    propagates unchanged, with its own traceback.
    """
    from django.apps import apps

    for app_config in apps.get_app_configs():
        if not hasattr(app_config.module, "__path__"):
            continue  # a single-module app cannot hold a submodule
        module_name = f"{app_config.name}.{DISCOVERY_MODULE}"
        # find_spec imports the parent package only, so a missing module is
        # told apart from an ImportError raised inside an existing one.
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name)
