"""Text each consenting participant a reminder of their appointments on the days up to the
next working day (run once each working day; running it twice sends once)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pathways.notifications.scheduled import appointment_reminders


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as on this day (YYYY-MM-DD); today if not given.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        ids = appointment_reminders(day)
        self.stdout.write(f"{len(ids)} reminders queued.")
