"""Background work of the outcomes app (Django's Tasks API): the nightly recount of kept
figures (``outcomes.kept``), enqueued by the scheduler at 03:30."""

from __future__ import annotations

from django_tasks import task

from pathways.accounts.models import Service
from pathways.outcomes.kept import keep_all


@task()
def recount_kept_figures() -> str:
    """Count the figures of every service's named periods that have ended again, as at
    their last day: keep those not kept yet, replace (and audit) those a correction
    changed, leave the rest; the same for every total of several services already kept
    for those periods, except one a member's purge has frozen (``kept.keep_all``).
    Idempotent: a second run finds nothing changed. Returns the tally (counts only)."""
    return str(keep_all(list(Service.objects.order_by("pk")), recount_kept=True))
