"""Period snapshots: a closed period's figures, frozen before a purge deletes records they
count, so that the figures of a closed period do not change after a purge.

Every purge calls ``freeze_periods_touching`` first, with the first and last day on which
the records it is about to delete can count in a figure, and deletes only once it has
returned (its snapshots are then committed). The participant purge
(``data_protection.retention.purge_expired_records``) does; a purge of other records (employer
engagements, staff accounts) must do the same with the span of its records' dates.

What is frozen: every measure of the registry, as at the day of freezing (what the pages
show) and as at the period's last day (what the RR Board report shows), and the report's
other figures counted from records, as raw counts (``outcomes.figures.record_figures``),
with the version of that shape (``FIGURES_VERSION``). Pages read a snapshot for exactly its
service and period (``outcomes.selectors.snapshot_for``); custom date ranges are always
counted live. A snapshot is taken once and never changed: a second purge touching the same
period leaves it as it is.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.core.audit import AuditKind, audit
from pathways.core.periods import KINDS, Period
from pathways.outcomes.figures import FIGURES_VERSION, record_figures
from pathways.outcomes.measures import MEASURES
from pathways.outcomes.models import PeriodSnapshot

WHY_RETENTION = "before records were deleted under the retention schedule"


def named_periods_touching(
    first: datetime.date, last: datetime.date, *, today: datetime.date
) -> list[Period]:
    """Every contract year, half-year and quarter that overlaps ``first``..``last`` (both
    included) and ended before ``today``."""
    found: list[Period] = []
    for make in KINDS.values():
        period = make(first)
        while period.start <= last and period.end < today:
            found.append(period)
            period = make(period.end + datetime.timedelta(days=1))
    return found


def period_figures(service: Service, period: Period, *, today: datetime.date) -> dict[str, Any]:
    """What a snapshot keeps, counted now by the measures' own database aggregates: a
    fixed number of queries per period, whatever the number of people."""
    return {
        "version": FIGURES_VERSION,
        "measures": {m.key: m.compute(service, period, today).as_json() for m in MEASURES},
        "measures_at_end": {
            m.key: m.compute(service, period, period.end).as_json() for m in MEASURES
        },
        "records": record_figures(service, period),
    }


def _take(service: Service, period: Period, *, today: datetime.date, why: str) -> bool:
    """Freeze one period of one service; False if another purge froze it meanwhile."""
    figures = period_figures(service, period, today=today)
    try:
        with transaction.atomic():
            snapshot = PeriodSnapshot.objects.create(
                service=service,
                period_start=period.start,
                period_end=period.end,
                taken_at=timezone.now(),
                as_of=today,
                why=why,
                figures=figures,
            )
            audit(
                actor=None,
                kind=AuditKind.CHANGE,
                action="figures.frozen",
                obj=snapshot,
                subject_id=None,
                summary=f"Figures of {period} frozen {why}",
                detail={"service": service.pk, "period": period.key},
            )
    except IntegrityError:
        return False
    return True


def freeze_periods_touching(
    first: datetime.date, last: datetime.date, *, today: datetime.date
) -> int:
    """Freeze the figures of every named period (contract year, half-year, quarter) of
    every service that overlaps ``first``..``last`` (local dates, both included), ended
    before ``today``, and has no snapshot yet; return how many were frozen.

    Call it before deleting records under the retention schedule, with the first and last
    day on which those records can count in any figure, and delete only after it returns:
    each snapshot is committed on its own (with its audit event) as it is taken, so a
    failure part way leaves the periods already frozen frozen and deletes nothing. A
    period still open is not frozen (its figures may still change anyway); a period with
    a snapshot keeps it unchanged. The figures are counted with the measures' own database
    aggregates: the queries grow with the number of periods and services, not of people.
    """
    if last < first:
        return 0
    periods = named_periods_touching(first, last, today=today)
    if not periods:
        return 0
    held = set(
        PeriodSnapshot.objects.filter(
            period_start__gte=min(period.start for period in periods),
            period_end__lte=max(period.end for period in periods),
        ).values_list("service_id", "period_start", "period_end")
    )
    frozen = 0
    for service in Service.objects.order_by("pk"):
        for period in periods:
            if (service.pk, period.start, period.end) in held:
                continue
            if _take(service, period, today=today, why=WHY_RETENTION):
                frozen += 1
    return frozen
