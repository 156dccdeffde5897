"""When each conviction or caution in a file is spent (docs/disclosure.md).

    python manage.py spent_dates FILE        (FILE may be - for standard input)

Prints {"spent": [...]}: one entry per conviction, in input order, each "YYYY-MM-DD" (the
first day it is spent), "never" or "indefinite". A bad file is refused with the field named
and a non-zero exit. No database is read or written, and nothing personal is logged.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathways.rehabilitation.calculator import InvalidSentence, spent_dates
from pathways.rehabilitation.parsing import format_spent, parse_convictions


class Command(BaseCommand):
    help = "Print when each conviction in a JSON file is spent (Rehabilitation of Offenders Act)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a JSON file of convictions, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from error
        try:
            results = spent_dates(parse_convictions(data))
        except InvalidSentence as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps({"spent": [format_spent(r) for r in results]}))
