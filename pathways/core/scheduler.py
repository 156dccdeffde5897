"""The periodic jobs, run by one scheduler process (``manage.py run_scheduler``) or by cron
(``manage.py run_scheduler --once`` each minute): docs/operations.md.

An app registers its jobs in its ``AppConfig.ready`` with :func:`register` (the core
registers the audit anchor and the reaper of abandoned tasks; data_protection the daily
purge, which freezes the closed periods it touches first). Digests and reminders register
the same way. A job's function should be quick: it runs the small thing itself or enqueues
a task for the worker.

Safe to run twice at once: :func:`run_due` decides each job inside a transaction that
locks the job's row (``select_for_update``; on SQLite the IMMEDIATE transaction takes the
database's write lock, the same effect, and a scheduler that finds it locked tries again),
so a second scheduler waits, then sees the job already started for this slot and leaves
it. Each job is idempotent as well: the purge finds
only what is still expired, the anchor logs the chain's head again, the reaper finds only
leases still lapsed.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from pathways.core.models import ScheduledJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    run: Callable[[], object]
    # For daily jobs: the local time of day after which it runs (None: any time).
    at: datetime.time | None = None

    def due(self, last: datetime.datetime | None, now: datetime.datetime) -> bool:
        """Due when it has never run, or ``every`` has passed since it last did (a daily job:
        once each local day, after ``at``)."""
        if self.at is not None:
            local = timezone.localtime(now)
            if local.time() < self.at:
                return False
            return last is None or timezone.localtime(last).date() < local.date()
        return last is None or now - last >= self.every


JOBS: dict[str, Job] = {}


def register(
    name: str,
    run: Callable[[], object],
    *,
    every: datetime.timedelta = datetime.timedelta(days=1),
    at: datetime.time | None = None,
) -> None:
    """Add a periodic job (again with the same name: replaced, so a reload is harmless)."""
    JOBS[name] = Job(name=name, every=every, run=run, at=at)


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Run every job that is due, each once however many schedulers call this at once;
    return the names run. A job that fails is logged and tried again at its next slot."""
    ran: list[str] = []
    for job in list(JOBS.values()):
        if _claim(job, now or timezone.now()):
            try:
                job.run()
            except Exception:
                logger.exception("Scheduled job %s failed", job.name)
                continue
            ran.append(job.name)
            logger.info("Scheduled job %s ran", job.name)
    return ran


# SQLite's fallback: a scheduler that finds the database locked by another (beyond its busy
# timeout, or at once in a shared-cache database) tries again, this many times.
LOCKED_RETRIES = 50


def _claim(job: Job, now: datetime.datetime) -> bool:
    """Mark the job started for this slot, unless it is not due or another scheduler just
    did: the row's lock makes the check and the mark one step."""
    for attempt in range(LOCKED_RETRIES):
        try:
            ScheduledJob.objects.get_or_create(name=job.name)
            with transaction.atomic():
                row = ScheduledJob.objects.select_for_update().get(name=job.name)
                if not job.due(row.last_run_at, now):
                    return False
                row.last_run_at = now
                row.save(update_fields=["last_run_at"])
            return True
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise OperationalError(f"The database stayed locked; {job.name} not run this time")
