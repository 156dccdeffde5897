"""Kept figures: a closed period's figures, counted once as at its last day and kept.

**Which day the pages count a period as at** is one rule, ``counted_as_at``: a period that
has ended, its last day (its figures then count only the facts recorded by the end of that
day, so they are the same whenever they are counted: docs/measures.md "As at means as
at"); a period still open, today. The dashboard, its drill-downs, its trend, the
commissioner's home, the RR Board report's first edition and the ``measures`` command all
count as at that day (the dashboard's "as at today" link asks for today instead).

**Kept.** Because a named period's figures as at its last day do not change with new
activity, they are counted once and kept (``KeptFigures``: every measure's figure and the
RR Board report's figures counted from records, ``outcomes.figures.record_figures``), and
read from then on: ``kept_for`` reads the row, and on a miss counts and keeps it. Only for
a contract year, half-year or quarter (``core.periods.is_named``) that has ended, and only
as at its last day: never for a period still open, a range of one's own dates, or a later
day. Two requests that miss at once both count; the first to write wins (the unique
constraint), the other reads the winner's row. A row kept in an older shape
(``FIGURES_VERSION``) is counted again. A period frozen before a retention purge
(``PeriodSnapshot``) is read from its snapshot, which wins: the caller asks the snapshot
first (``outcomes.selectors.held``).

**Corrections.** A record corrected or deleted after the period ended (a placement's start
date, a contact) can change the figures as at its last day. ``recount`` counts a period
again and replaces its row when the figures differ, writing one ``figures.recounted``
audit event naming the measures (and the other figures) that changed, never a person. The
nightly job (``outcomes.tasks.recount_kept_figures``, at 03:30) and ``manage.py
keep_figures --recount`` recount every service's named periods that have ended among those
the pages offer (``core.periods.named_choices``).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.core.audit import AuditKind, audit
from pathways.core.periods import KINDS, Period, is_named, named_choices
from pathways.outcomes.figures import FIGURES_VERSION, record_figures
from pathways.outcomes.measures import MEASURES, Figure, Measure
from pathways.outcomes.models import KeptFigures

# How each kind of named period is called in a sentence ("the half-year's last day").
KIND_WORDS = {"year": "contract year", "half": "half-year", "quarter": "quarter"}


def counted_as_at(period: Period, today: datetime.date | None = None) -> datetime.date:
    """The day the pages count the period's figures as at: its last day once it has
    ended, else today."""
    today = today or timezone.localdate()
    return period.end if period.closed(today) else today


def kind_of(period: Period) -> str:
    """What the period is called in a sentence: "half-year", "quarter", "contract year",
    or "" for a range of one's own dates."""
    for kind, make in KINDS.items():
        made = make(period.start)
        if (made.start, made.end) == (period.start, period.end):
            return KIND_WORDS[kind]
    return ""


def keepable(period: Period, as_of: datetime.date, today: datetime.date | None = None) -> bool:
    """Figures are kept only for a named period that has ended, as at its last day."""
    return is_named(period) and period.closed(today) and as_of == period.end


def count(service: Service, period: Period) -> dict[str, Any]:
    """What a kept row holds, counted now as at the period's last day (JSON as stored)."""
    figures = {
        "measures": {m.key: m.compute(service, period, period.end).as_json() for m in MEASURES},
        "records": record_figures(service, period),
    }
    # As the database gives it back (tuples as lists), so a recount compares like with like.
    loaded: dict[str, Any] = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    return loaded


def figure_of(kept: KeptFigures, measure: Measure) -> Figure | None:
    """The measure's figure as the row keeps it; None for a measure added since."""
    data = kept.figures["measures"].get(measure.key)
    return None if data is None else Figure.from_json(data)


def records_of(kept: KeptFigures) -> dict[str, Any]:
    """The RR Board report's figures counted from records, as the row keeps them."""
    records: dict[str, Any] = kept.figures["records"]
    return records


def _row(service: Service, period: Period) -> KeptFigures | None:
    return KeptFigures.objects.filter(
        service=service, period_start=period.start, period_end=period.end
    ).first()


def _create(service: Service, period: Period, figures: dict[str, Any]) -> KeptFigures | None:
    """Keep a new row; None when another process kept one first (the unique constraint)."""
    try:
        with transaction.atomic():
            return KeptFigures.objects.create(
                service=service,
                period_start=period.start,
                period_end=period.end,
                counted_at=timezone.now(),
                version=FIGURES_VERSION,
                figures=figures,
            )
    except IntegrityError:
        return None


def _replace(kept: KeptFigures, figures: dict[str, Any]) -> None:
    kept.figures = figures
    kept.version = FIGURES_VERSION
    kept.counted_at = timezone.now()
    kept.save(update_fields=["figures", "version", "counted_at"])


def kept_for(
    service: Service,
    period: Period,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
) -> KeptFigures | None:
    """The kept figures of the period as at ``as_of`` (by default the day the pages count
    it as at), counted and kept on a miss; None when the period's figures are not kept
    (still open, not a named period, or a day other than its last)."""
    today = today or timezone.localdate()
    day = as_of or counted_as_at(period, today)
    if not keepable(period, day, today):
        return None
    found = _row(service, period)
    if found is not None and found.version == FIGURES_VERSION:
        return found
    return _keep(service, period, stale=found)


def _keep(service: Service, period: Period, *, stale: KeptFigures | None) -> KeptFigures:
    figures = count(service, period)
    if stale is not None:
        _replace(stale, figures)
        return stale
    created = _create(service, period, figures)
    if created is not None:
        return created
    # Another request kept the period while this one counted: its row wins.
    return KeptFigures.objects.get(
        service=service, period_start=period.start, period_end=period.end
    )


def kept_for_periods(
    service: Service, periods: list[Period], *, today: datetime.date | None = None
) -> dict[tuple[datetime.date, datetime.date], KeptFigures]:
    """The kept figures of every period that has them as at its last day (a trend's
    closed half-years), by (start, end): one query for those already kept; a period not
    yet kept (or kept in an older shape) is counted and kept once."""
    today = today or timezone.localdate()
    wanted = [period for period in periods if keepable(period, period.end, today)]
    if not wanted:
        return {}
    found = {
        (row.period_start, row.period_end): row
        for row in KeptFigures.objects.filter(
            service=service, period_start__in=[period.start for period in wanted]
        )
    }
    held: dict[tuple[datetime.date, datetime.date], KeptFigures] = {}
    for period in wanted:
        key = (period.start, period.end)
        row = found.get(key)
        held[key] = (
            row
            if row is not None and row.version == FIGURES_VERSION
            else _keep(service, period, stale=row)
        )
    return held


# Corrections: counting again.


class Outcome:
    KEPT = "kept"  # no row yet: counted and kept
    REPLACED = "replaced"  # the figures differed: replaced, and audited
    RESHAPED = "reshaped"  # kept in an older shape: counted again in this one
    UNCHANGED = "unchanged"


def changed_keys(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """The measure keys, and the keys of the other figures, whose figures differ."""

    def differing(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        return sorted(key for key in {*before, *after} if before.get(key) != after.get(key))

    return {
        "measures": differing(old.get("measures", {}), new.get("measures", {})),
        "records": differing(old.get("records", {}), new.get("records", {})),
    }


def recount(
    service: Service,
    period: Period,
    *,
    actor: Any = None,
    today: datetime.date | None = None,
) -> str:
    """Count the period's figures again as at its last day and keep them: a new row, or
    the row replaced where they differ (with one ``figures.recounted`` audit event naming
    what changed). Counted outside the lock; compared and written under the row's lock, so
    two recounts at once write once and audit once. Refuses a period that is not kept."""
    today = today or timezone.localdate()
    if not keepable(period, period.end, today):
        raise ValueError(f"{period} is not a named period that has ended: its figures are not kept")
    figures = count(service, period)
    with transaction.atomic():
        if _row(service, period) is None and _create(service, period, figures) is not None:
            return Outcome.KEPT
        kept = (
            KeptFigures.objects.select_for_update()
            .filter(service=service, period_start=period.start, period_end=period.end)
            .get()
        )
        if kept.version != FIGURES_VERSION:
            _replace(kept, figures)
            return Outcome.RESHAPED
        if kept.figures == figures:
            return Outcome.UNCHANGED
        changed = changed_keys(kept.figures, figures)
        _replace(kept, figures)
        measures = changed["measures"]
        audit(
            actor=actor,
            kind=AuditKind.CHANGE,
            action="figures.recounted",
            obj=kept,
            subject_id=None,
            summary=(
                f"Figures of {period} counted again as at {period.end:%-d %B %Y}: "
                f"{len(measures)} {'measure' if len(measures) == 1 else 'measures'} changed"
            ),
            detail={"service": service.pk, "period": period.key, **changed},
        )
        return Outcome.REPLACED


def periods_to_keep(today: datetime.date) -> list[Period]:
    """The named periods whose figures are kept ahead of anyone asking: those the pages
    offer (``named_choices``) that have ended. Bounded: about ten."""
    return [period for period in named_choices(today) if period.closed(today)]


@dataclass
class Tally:
    kept: int = 0
    replaced: int = 0
    reshaped: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return (
            f"{self.kept} kept, {self.replaced} replaced (figures changed), "
            f"{self.reshaped} counted again in the new shape, {self.unchanged} unchanged"
        )


def keep_all(
    services: list[Service],
    *,
    recount_kept: bool,
    today: datetime.date | None = None,
) -> Tally:
    """Keep the figures of every service's named periods that have ended
    (``periods_to_keep``): those not kept yet, and those kept in an older shape; with
    ``recount_kept``, every period is counted again and replaced where it changed."""
    today = today or timezone.localdate()
    tally = Tally()
    for service in services:
        for period in periods_to_keep(today):
            if recount_kept:
                tally.add(recount(service, period, today=today))
                continue
            found = _row(service, period)
            if found is not None and found.version == FIGURES_VERSION:
                tally.add(Outcome.UNCHANGED)
                continue
            _keep(service, period, stale=found)
            tally.add(Outcome.KEPT if found is None else Outcome.RESHAPED)
    return tally
