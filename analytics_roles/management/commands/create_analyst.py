"""``./manage.py create_analyst NAME --role GROUP``: a login role for one analyst."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from analytics_roles.provisioning import RolesError, create_analyst
from django_orm_views.identifiers import role_problem


class Command(BaseCommand):
    help = "Create a read-only LOGIN role for an analyst in one ANALYTICS_ROLES group."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The analyst's role name.")
        parser.add_argument("--role", required=True, metavar="GROUP", help="Group to join.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password as one line from standard input instead of generating one.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["name"]
        problem = role_problem(name)
        if problem:
            raise CommandError(f"role name {name!r} {problem}")
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin read an empty line")
        try:
            analyst = create_analyst(
                name, options["role"], password=password, using=options["database"]
            )
        except RolesError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"could not create {name!r}, nothing was changed: {exc}") from exc
        self.stdout.write(f"created analyst {analyst.name} in group {analyst.group}")
        if analyst.password is not None:
            self.stdout.write(f"password (shown once): {analyst.password}")
