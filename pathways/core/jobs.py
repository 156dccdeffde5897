"""The core's periodic jobs (pathways/core/scheduler.py): the audit anchor each hour and the
reaper of abandoned tasks each minute. Other apps register theirs in their own ready()."""

from __future__ import annotations

import datetime
import io

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


def register() -> None:
    scheduler.register("audit_anchor", audit_anchor, every=datetime.timedelta(hours=1))
    scheduler.register("reap_abandoned_tasks", leases.reap, every=datetime.timedelta(minutes=1))
