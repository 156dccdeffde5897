"""The core's periodic jobs (pathways/core/scheduler.py): the audit anchor each hour, the
reaper of abandoned tasks each minute, and (with Redis) the move of tasks kept in the
database while Redis was away. Other apps register theirs in their own ready()."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from pathways.core import leases, scheduler


def audit_anchor() -> None:
    """Log the head of the audit chain (``manage.py audit_anchor``: the log is kept apart
    from the database). Nothing to anchor yet is not a failure."""
    try:
        call_command("audit_anchor", stdout=io.StringIO())
    except CommandError:
        return


def move_waiting_to_redis() -> None:
    from pathways.core import queue

    queue.move_waiting_to_redis()


def register() -> None:
    scheduler.register("audit_anchor", audit_anchor, every=datetime.timedelta(hours=1))
    scheduler.register("reap_abandoned_tasks", leases.reap, every=datetime.timedelta(minutes=1))
    if "fallback" in settings.TASKS:
        # Tasks kept in the database while Redis was away go to Redis once it is back.
        scheduler.register(
            "move_waiting_to_redis", move_waiting_to_redis, every=datetime.timedelta(minutes=1)
        )
