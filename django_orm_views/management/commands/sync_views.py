"""``./manage.py sync_views``: make the database's views match the code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from django_orm_views.applying import sync
from django_orm_views.exceptions import ViewsError


class Command(BaseCommand):
    help = "Create, replace and drop managed PostgreSQL views so the database matches the code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema",
            action="append",
            dest="schemas",
            metavar="NAME",
            help="Sync only this schema (repeatable). Default: every schema with views.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the planned SQL; change nothing."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit 1 and list the differences when the database is not in sync.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace every managed view, changed or not."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = sync(
                options["schemas"],
                using=options["database"],
                dry_run=options["dry_run"],
                check=options["check"],
                force=options["force"],
            )
        except ViewsError as exc:
            raise CommandError(str(exc)) from exc
        plan = result.plan
        verbosity = options["verbosity"]
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["check"]:
            if not result.in_sync:
                for line in [*plan.differences(), *result.grant_changes]:
                    self.stdout.write(line)
                raise CommandError("the database is not in sync with the declared views")
            if verbosity:
                self.stdout.write("views are in sync")
            return
        if options["dry_run"]:
            for statement in result.statements:
                self.stdout.write(statement.rstrip() + ";\n")
            if verbosity:
                self.stdout.write("-- " + result.summary())
            return
        if verbosity >= 2:
            for line in [*plan.differences(), *result.grant_changes]:
                self.stdout.write(line)
            for name in result.rebuilt:
                self.stdout.write(f"{name}: dropped and created again")
        if verbosity:
            self.stdout.write(result.summary())
