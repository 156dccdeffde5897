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

**Totals.** The total of several services counted together (``measures.Services``: each
person once) is kept the same way, measures only, in ``KeptTotal``: one row per set of
services and period, the set found by a key that is the same whatever order its services
come in. Every function here takes a service or several services (a ``Scope``); ``_keeping``
says which model keeps a scope's figures and how its rows are found. A total is kept only
for a set someone has asked for (the commissioner's dashboard of all their services,
``manage.py measures``): the sets are never enumerated.

**Corrections.** A record corrected or deleted after the period ended (a placement's start
date, a contact) can change the figures as at its last day. ``recount`` counts a period
again and replaces its row when the figures differ, writing one ``figures.recounted``
audit event naming the measures (and the other figures) that changed, never a person. The
nightly job (``outcomes.tasks.recount_kept_figures``, at 03:30) and ``manage.py
keep_figures --recount`` recount every service's named periods that have ended among those
the pages offer (``core.periods.named_choices``), and every total already kept for those
periods that counts one of the services. A retention purge freezes a service's figures
(``PeriodSnapshot``) and then deletes records they count; a total cannot be frozen that way
(its members' snapshots cannot be added up: a person in two services counts once), so a
kept total of a period in which any member service has a snapshot is never counted again,
neither by the recount nor for a new shape: counting it after the purge would undercount.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast, overload

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.core.audit import AuditKind, audit
from pathways.core.periods import KINDS, Period, is_named, named_choices
from pathways.outcomes.figures import FIGURES_VERSION, record_figures
from pathways.outcomes.measures import MEASURES, Figure, Measure, Scope, Services
from pathways.outcomes.models import KeptFigures, KeptTotal, PeriodSnapshot

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


# A service's kept figures, or a total's.
Kept = KeptFigures | KeptTotal


def members_key(services: Iterable[Service]) -> tuple[str, list[int]]:
    """The key of a set of services, the same whatever order they come in (SHA-256 of
    their ids in ascending order, joined by commas), and those ids."""
    ids = sorted({service.pk for service in services})
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(), ids


@dataclass(frozen=True)
class _Keeping:
    """Where a scope's figures are kept: the model, the fields that find its rows, what a
    new row names besides, and how an audit event names the scope (in its detail, and in
    its summary before the period)."""

    model: type[KeptFigures] | type[KeptTotal]
    where: dict[str, Any]
    names: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    whose: str = ""

    def rows(self, period: Period) -> QuerySet[KeptFigures] | QuerySet[KeptTotal]:
        """The scope's row of the period, as a query (at most one: the unique constraint)."""
        return self.model.objects.filter(
            **self.where, period_start=period.start, period_end=period.end
        )


def _keeping(scope: Scope) -> _Keeping:
    if isinstance(scope, Services):
        key, ids = members_key(scope.members)
        return _Keeping(
            KeptTotal,
            where={"members_key": key},
            names={"members": ids},
            detail={"services": ids},
            whose=f"the total of {len(ids)} services, ",
        )
    return _Keeping(KeptFigures, {"service": scope}, detail={"service": scope.pk})


def count(scope: Scope, period: Period) -> dict[str, Any]:
    """What a kept row holds, counted now as at the period's last day (JSON as stored): a
    service's measures and the RR Board report's figures counted from records; several
    services' measures only (a total has no report)."""
    figures: dict[str, Any] = {
        "measures": {m.key: m.compute(scope, period, period.end).as_json() for m in MEASURES}
    }
    if not isinstance(scope, Services):
        figures["records"] = record_figures(scope, period)
    # As the database gives it back (tuples as lists), so a recount compares like with like.
    loaded: dict[str, Any] = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    return loaded


def figure_of(kept: Kept, measure: Measure) -> Figure | None:
    """The measure's figure as the row keeps it; None for a measure added since."""
    data = kept.figures["measures"].get(measure.key)
    return None if data is None else Figure.from_json(data)


def records_of(kept: KeptFigures) -> dict[str, Any]:
    """The RR Board report's figures counted from records, as the row keeps them."""
    records: dict[str, Any] = kept.figures["records"]
    return records


def frozen(scope: Scope, period: Period) -> bool:
    """Whether a kept total must not be counted again for the period: a member service's
    figures were frozen before a purge (``PeriodSnapshot``), so records it counted may be
    gone and a new count would undercount. Never for one service: its snapshot wins over
    its kept figures wherever they are read (``outcomes.selectors.held``)."""
    if not isinstance(scope, Services):
        return False
    return PeriodSnapshot.objects.filter(
        service__in=scope.members, period_start=period.start, period_end=period.end
    ).exists()


def _row(scope: Scope, period: Period) -> Kept | None:
    return _keeping(scope).rows(period).first()


def _create(scope: Scope, period: Period, figures: dict[str, Any]) -> Kept | None:
    """Keep a new row; None when another process kept one first (the unique constraint)."""
    keeping = _keeping(scope)
    try:
        with transaction.atomic():
            created: Kept = keeping.model.objects.create(
                **keeping.where,
                **keeping.names,
                period_start=period.start,
                period_end=period.end,
                counted_at=timezone.now(),
                version=FIGURES_VERSION,
                figures=figures,
            )
            return created
    except IntegrityError:
        return None


def _replace(kept: Kept, figures: dict[str, Any]) -> None:
    kept.figures = figures
    kept.version = FIGURES_VERSION
    kept.counted_at = timezone.now()
    kept.save(update_fields=["figures", "version", "counted_at"])


def _readable(scope: Scope, period: Period, found: Kept | None) -> bool:
    """Whether a row found can be read as it is: kept in this shape, or a total that must
    not be counted again (``frozen``), whose measures are read as kept (every shape keeps
    the measures alike)."""
    if found is None:
        return False
    return found.version == FIGURES_VERSION or frozen(scope, period)


@overload
def kept_for(
    scope: Service,
    period: Period,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
) -> KeptFigures | None: ...


@overload
def kept_for(
    scope: Services,
    period: Period,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
) -> KeptTotal | None: ...


def kept_for(
    scope: Scope,
    period: Period,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Kept | None:
    """The kept figures of the service, or the kept total of several services, for the
    period as at ``as_of`` (by default the day the pages count it as at), counted and kept
    on a miss; None when the period's figures are not kept (still open, not a named
    period, or a day other than its last). One read when kept."""
    today = today or timezone.localdate()
    day = as_of or counted_as_at(period, today)
    if not keepable(period, day, today):
        return None
    found = _row(scope, period)
    if found is not None and _readable(scope, period, found):
        return found
    return _keep(scope, period, stale=found)


def _keep(scope: Scope, period: Period, *, stale: Kept | None) -> Kept:
    figures = count(scope, period)
    if stale is not None:
        _replace(stale, figures)
        return stale
    created = _create(scope, period, figures)
    if created is not None:
        return created
    # Another request kept the period while this one counted: its row wins.
    return _keeping(scope).rows(period).get()


def kept_for_periods(
    scope: Scope, periods: list[Period], *, today: datetime.date | None = None
) -> dict[tuple[datetime.date, datetime.date], Kept]:
    """The kept figures of every period that has them as at its last day (a trend's
    closed half-years), by (start, end): one query for those already kept; a period not
    yet kept (or kept in an older shape) is counted and kept once."""
    today = today or timezone.localdate()
    wanted = [period for period in periods if keepable(period, period.end, today)]
    if not wanted:
        return {}
    keeping = _keeping(scope)
    found: dict[tuple[datetime.date, datetime.date], Kept] = {
        (row.period_start, row.period_end): row
        for row in keeping.model.objects.filter(
            **keeping.where, period_start__in=[period.start for period in wanted]
        )
    }
    held: dict[tuple[datetime.date, datetime.date], Kept] = {}
    for period in wanted:
        key = (period.start, period.end)
        row = found.get(key)
        held[key] = (
            row
            if row is not None and _readable(scope, period, row)
            else _keep(scope, period, stale=row)
        )
    return held


def kept_for_services(
    services: list[Service],
    period: Period,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict[int, KeptFigures]:
    """Each service's kept figures of the period as at ``as_of`` (the all-services
    dashboard's columns), by service id: one query for those already kept; a service's not
    yet kept (or kept in an older shape) are counted and kept once. Empty when the period's
    figures are not kept (as ``kept_for``)."""
    today = today or timezone.localdate()
    day = as_of or counted_as_at(period, today)
    if not keepable(period, day, today) or not services:
        return {}
    found = {
        row.service_id: row
        for row in KeptFigures.objects.filter(
            service__in=services, period_start=period.start, period_end=period.end
        )
    }
    held: dict[int, KeptFigures] = {}
    for service in services:
        row = found.get(service.pk)
        if row is None or not _readable(service, period, row):
            row = cast(KeptFigures, _keep(service, period, stale=row))
        held[service.pk] = row
    return held


# Corrections: counting again.


class Outcome:
    KEPT = "kept"  # no row yet: counted and kept
    REPLACED = "replaced"  # the figures differed: replaced, and audited
    RESHAPED = "reshaped"  # kept in an older shape: counted again in this one
    UNCHANGED = "unchanged"
    FROZEN = "frozen"  # a total left as kept: a member's figures were frozen before a purge


def changed_keys(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """The measure keys, and the keys of the other figures, whose figures differ."""

    def differing(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        return sorted(key for key in {*before, *after} if before.get(key) != after.get(key))

    return {
        "measures": differing(old.get("measures", {}), new.get("measures", {})),
        "records": differing(old.get("records", {}), new.get("records", {})),
    }


def recount(
    scope: Scope,
    period: Period,
    *,
    actor: Any = None,
    today: datetime.date | None = None,
) -> str:
    """Count the period's figures (of a service, or the total of several services) again as
    at its last day and keep them: a new row, or the row replaced where they differ (with
    one ``figures.recounted`` audit event naming what changed). Counted outside the lock;
    compared and written under the row's lock, so two recounts at once write once and audit
    once. Refuses a period that is not kept. A total of a period in which any member
    service has a snapshot is left as kept and never counted (``frozen``: after a purge a
    new count would undercount)."""
    today = today or timezone.localdate()
    if not keepable(period, period.end, today):
        raise ValueError(f"{period} is not a named period that has ended: its figures are not kept")
    if frozen(scope, period):
        return Outcome.FROZEN
    figures = count(scope, period)
    keeping = _keeping(scope)
    with transaction.atomic():
        if _row(scope, period) is None and _create(scope, period, figures) is not None:
            return Outcome.KEPT
        kept = keeping.rows(period).select_for_update().get()
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
                f"Figures of {keeping.whose}{period} counted again as at {period.end:%-d %B %Y}: "
                f"{len(measures)} {'measure' if len(measures) == 1 else 'measures'} changed"
            ),
            detail={**keeping.detail, "period": period.key, **changed},
        )
        return Outcome.REPLACED


def periods_to_keep(today: datetime.date) -> list[Period]:
    """The named periods whose figures are kept ahead of anyone asking: those the pages
    offer (``named_choices``) that have ended. Bounded: about ten."""
    return [period for period in named_choices(today) if period.closed(today)]


def totals_kept(services: list[Service], periods: list[Period]) -> list[tuple[Services, Period]]:
    """The totals already kept for the periods that count any of the services, with their
    members: only sets someone has asked for (the combinations of services are never
    enumerated). Two queries. A total naming a service that no longer exists is left out."""
    wanted = {(period.start, period.end): period for period in periods}
    ids = {service.pk for service in services}
    rows = [
        row
        for row in KeptTotal.objects.filter(
            period_start__in=[period.start for period in periods]
        ).order_by("pk")
        if (row.period_start, row.period_end) in wanted and ids & set(row.members)
    ]
    members = Service.objects.in_bulk({pk for row in rows for pk in row.members})
    return [
        (
            Services(tuple(members[pk] for pk in row.members)),
            wanted[(row.period_start, row.period_end)],
        )
        for row in rows
        if all(pk in members for pk in row.members)
    ]


@dataclass
class Tally:
    kept: int = 0
    replaced: int = 0
    reshaped: int = 0
    unchanged: int = 0
    frozen: int = 0
    # The totals of several services, told apart from the services' own periods.
    totals: Tally | None = None

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __bool__(self) -> bool:
        return any((self.kept, self.replaced, self.reshaped, self.unchanged, self.frozen))

    def __str__(self) -> str:
        said = (
            f"{self.kept} kept, {self.replaced} replaced (figures changed), "
            f"{self.reshaped} counted again in the new shape, {self.unchanged} unchanged"
        )
        if self.frozen:
            said += (
                f", {self.frozen} left as kept (a member service's figures frozen before a purge)"
            )
        if self.totals:
            said += f"; totals of several services: {self.totals}"
        return said


def keep_all(
    services: list[Service],
    *,
    recount_kept: bool,
    today: datetime.date | None = None,
) -> Tally:
    """Keep the figures of every service's named periods that have ended
    (``periods_to_keep``): those not kept yet, and those kept in an older shape; with
    ``recount_kept``, every period is counted again and replaced where it changed. The
    same for every total already kept for those periods that counts one of the services
    (``totals_kept``; tallied apart, in ``Tally.totals``), except a total of a period in
    which a member service has a snapshot, which is left as kept (``frozen``)."""
    today = today or timezone.localdate()
    periods = periods_to_keep(today)
    totals = Tally()
    tally = Tally(totals=totals)
    for service in services:
        for period in periods:
            tally.add(_keep_one(service, period, recount_kept=recount_kept, today=today))
    for together, period in totals_kept(services, periods):
        totals.add(_keep_one(together, period, recount_kept=recount_kept, today=today))
    return tally


def _keep_one(scope: Scope, period: Period, *, recount_kept: bool, today: datetime.date) -> str:
    if recount_kept:
        return recount(scope, period, today=today)
    found = _row(scope, period)
    if found is not None and found.version == FIGURES_VERSION:
        return Outcome.UNCHANGED
    if found is not None and frozen(scope, period):
        return Outcome.FROZEN
    _keep(scope, period, stale=found)
    return Outcome.KEPT if found is None else Outcome.RESHAPED
