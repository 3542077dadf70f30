"""``./manage.py list_analysts``: analysts' login roles and their groups."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from analytics_roles.provisioning import list_analysts


class Command(BaseCommand):
    help = "List the login roles create_analyst made, with their groups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        analysts = list_analysts(using=options["database"])
        if not analysts:
            self.stdout.write("no analysts")
        for role in analysts:
            groups = ", ".join(role.member_of) or "-"
            state = "" if role.can_login else " (login disabled)"
            self.stdout.write(f"{role.name}: {groups}{state}")
