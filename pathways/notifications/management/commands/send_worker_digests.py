"""Email each worker with something due a digest of it (reviews, appointments awaiting
feedback, sustainment checks), and each manager who chose it the referrals awaiting a
decision. Working days only; running it twice in a day sends once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pathways.notifications.scheduled import digests


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as on this day (YYYY-MM-DD); today if not given.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        ids = digests(day)
        self.stdout.write(f"{len(ids)} digests queued.")
