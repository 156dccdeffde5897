"""Enqueue the messages waiting to be sent or due a retry, after checking at Notify (by
reference) any left half-sent by a stopped worker. Run every few minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pathways.notifications.tasks import send_due


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        ids = send_due()
        self.stdout.write(f"{len(ids)} messages queued.")
