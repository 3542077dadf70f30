"""``./manage.py drop_analyst NAME``: remove one analyst's login role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from analytics_roles.provisioning import RolesError, drop_analyst


class Command(BaseCommand):
    help = "Drop a login role that create_analyst made."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            drop_analyst(options["name"], using=options["database"])
        except RolesError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"could not drop {options['name']!r}: {exc}") from exc
        self.stdout.write(f"dropped analyst {options['name']}")
