"""``./manage.py access_report``: what each analyst role can read, from the live catalog."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from analytics_roles import report


class Command(BaseCommand):
    help = "Report, per role, the views and columns it can read and what breaks the boundary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", action="append", dest="roles", metavar="R")
        parser.add_argument("--format", choices=["text", "json", "markdown"], default="text")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--fail-on-warnings",
            action="store_true",
            help="Exit non-zero when any role has a warning (to gate a deploy).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with connections[options["database"]].cursor() as cursor:
            try:
                reports = report.build(cursor, options["roles"])
            except LookupError as exc:
                raise CommandError(str(exc.args[0])) from exc
        render = {"text": report.as_text, "json": report.as_json, "markdown": report.as_markdown}
        self.stdout.write(render[options["format"]](reports))
        count = sum(len(r.warnings) for r in reports)
        if options["fail_on_warnings"] and count:
            raise CommandError(f"{count} warning(s) in the access report")
