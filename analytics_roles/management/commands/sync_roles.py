"""``./manage.py sync_roles``: make analysts' group roles match ``ANALYTICS_ROLES``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from analytics_roles.provisioning import RolesError, sync_roles


class Command(BaseCommand):
    help = (
        "Create or alter the analyst group roles of ANALYTICS_ROLES; drop nothing without --prune."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--dry-run", action="store_true", help="Print the SQL; run nothing.")
        parser.add_argument(
            "--adopt",
            action="store_true",
            help="Take over existing roles that ANALYTICS_ROLES names (they become NOLOGIN).",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Drop group roles that sync_roles created and ANALYTICS_ROLES no longer names.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = sync_roles(
                using=options["database"],
                dry_run=options["dry_run"],
                prune=options["prune"],
                adopt=options["adopt"],
            )
        except RolesError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"sync_roles failed, nothing was changed: {exc}") from exc
        raw = connections[options["database"]].connection
        for why, statement in plan.statements:
            if options["dry_run"] or options["verbosity"] >= 2:
                self.stdout.write(f"-- {why}\n{statement.as_string(raw)};")
        if options["verbosity"]:
            verb = "would run" if options["dry_run"] else "ran"
            self.stdout.write(f"sync_roles: {verb} {len(plan.statements)} statement(s)")
