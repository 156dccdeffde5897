"""Enqueue the purge of records past their retention (run daily, for example from cron;
a task worker, ``manage.py db_worker``, runs it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pathways.data_protection.retention import purge_expired_records


class Command(BaseCommand):
    help = "Enqueue the background purge of records past their retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        result = purge_expired_records.enqueue()
        self.stdout.write(f"Purge enqueued (task {result.id}).")
