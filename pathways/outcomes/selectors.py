"""Reads of measures, targets, orders and offences."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.access import Action, can
from pathways.core.periods import Period
from pathways.outcomes.figures import CHOICES, frozen_record_figures, referral_counts
from pathways.outcomes.kept import (
    Kept,
    counted_as_at,
    figure_of,
    kept_for,
    kept_for_periods,
    kept_for_services,
    records_of,
)
from pathways.outcomes.measures import (
    COMMUNITY_ORDERS,
    MEASURES,
    Figure,
    Measure,
    Scope,
    Services,
    TargetUnit,
)
from pathways.outcomes.models import (
    KeptFigures,
    Order,
    PeriodSnapshot,
    ProvenOffence,
    Target,
    TargetKind,
    TargetTolerance,
)
from pathways.participants.models import Participant
from pathways.placements.models import SustainmentCheck
from pathways.plans.models import Reading
from pathways.referrals.access import participants_for
from pathways.referrals.models import Referral

DEFAULT_TOLERANCE = 10


class Status:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    # A period still open, judged against its pro-rata target (``pro_rata``).
    ON_TRACK = "on_track"
    NEAR_PRO_RATA = "near_pro_rata"
    BEHIND_PRO_RATA = "behind_pro_rata"
    # A rate target where the figure has no rate (nothing in its denominator).
    NO_RATE = "no_rate"


# The words and GOV.UK tag colour of each status: the page, the RR Board report (page, PDF
# and XLSX) all say these.
STATUS_WORDS = {
    Status.GREEN: "On target",
    Status.AMBER: "Near target",
    Status.RED: "Below target",
    Status.ON_TRACK: "In progress: on track",
    Status.NEAR_PRO_RATA: "In progress: near the target so far",
    Status.BEHIND_PRO_RATA: "In progress: behind the target so far",
    Status.NO_RATE: "No rate: none counted",
}
STATUS_COLOURS = {
    Status.GREEN: "green",
    Status.AMBER: "yellow",
    Status.RED: "red",
    Status.ON_TRACK: "blue",
    Status.NEAR_PRO_RATA: "yellow",
    Status.BEHIND_PRO_RATA: "orange",
    Status.NO_RATE: "grey",
}
IN_PROGRESS = {
    Status.GREEN: Status.ON_TRACK,
    Status.AMBER: Status.NEAR_PRO_RATA,
    Status.RED: Status.BEHIND_PRO_RATA,
}


def rag(value: float | None, target: Decimal, *, higher_is_better: bool, tolerance: int) -> str:
    """Green when the target is met, amber when within the tolerance of it, else red."""
    if value is None:
        return Status.RED
    goal = float(target)
    if (value >= goal) if higher_is_better else (value <= goal):
        return Status.GREEN
    margin = abs(goal) * tolerance / 100
    near = value >= goal - margin if higher_is_better else value <= goal + margin
    return Status.AMBER if near else Status.RED


def days_elapsed(period: Period, as_of: datetime.date) -> int:
    """Days of the period up to and including ``as_of`` (0 before it starts)."""
    return max(0, min((as_of - period.start).days + 1, period.days))


def pro_rata(target: Decimal, period: Period, as_of: datetime.date) -> Decimal:
    """The share of a whole-period target due by ``as_of``: target x days elapsed / days
    in the period (to two places)."""
    share = target * days_elapsed(period, as_of) / period.days
    return share.quantize(Decimal("0.01"))


def judged_value(measure: Measure, figure: Figure) -> float | None:
    """What a target is compared with, like with like: for a rate target the figure's share
    in per cent (numerator of denominator, to one place; none when nothing was due), for a
    count target the figure's value."""
    if measure.target_unit == TargetUnit.RATE:
        rate = figure.rate
        return None if rate is None else round(rate * 100, 1)
    return figure.value


def judge(
    measure: Measure,
    figure: Figure,
    target: Decimal,
    period: Period,
    as_of: datetime.date,
    *,
    tolerance: int,
) -> tuple[str, Decimal | None]:
    """The status of a figure against a target set for the whole period, and the target it
    was judged against when that was a pro-rata one. Like with like (``judged_value``): a
    rate target against the figure's rate, a count target against its count. A period still
    open on ``as_of`` is "in progress": a count that builds up over the period is judged
    against the pro-rata target; a rate, or a figure that does not build up (a caseload, an
    average), against the target itself; either way never "Below target" before the period
    has ended."""
    value = judged_value(measure, figure)
    if value is None and measure.target_unit == TargetUnit.RATE:
        return Status.NO_RATE, None
    if as_of >= period.end:
        status = rag(value, target, higher_is_better=measure.higher_is_better, tolerance=tolerance)
        return status, None
    builds_up = measure.builds_up and measure.target_unit == TargetUnit.COUNT
    goal = pro_rata(target, period, as_of) if builds_up else None
    status = rag(
        value,
        target if goal is None else goal,
        higher_is_better=measure.higher_is_better,
        tolerance=tolerance,
    )
    return IN_PROGRESS[status], goal


@dataclass(frozen=True)
class TargetResult:
    kind: str
    value: Decimal
    status: str
    pro_rata: Decimal | None = None  # the share of the target due so far, in an open period
    unit: str = TargetUnit.COUNT  # the measure's ``target_unit``

    @property
    def shown(self) -> str:
        """The target as people read it: "60%" for a rate, "12" for a count."""
        number = f"{self.value.normalize():f}"
        return f"{number}%" if self.unit == TargetUnit.RATE else number

    @property
    def kind_label(self) -> str:
        return TargetKind(self.kind).label

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS.values()


@dataclass(frozen=True)
class MeasureResult:
    measure: Measure
    figure: Figure
    targets: list[TargetResult]

    @property
    def status(self) -> str:
        """The status against the intermediate target if there is one, else the long-term."""
        return self.targets[0].status if self.targets else ""

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, "")


def tolerances_of(services: list[Service]) -> dict[int, int]:
    """Each service's tolerance, by service id (the default where none is set): one query."""
    found = {
        row.service_id: row.percent for row in TargetTolerance.objects.filter(service__in=services)
    }
    return {service.pk: found.get(service.pk, DEFAULT_TOLERANCE) for service in services}


def tolerance_of(service: Service) -> int:
    return tolerances_of([service])[service.pk]


def targets_of(services: list[Service], period: Period) -> dict[int, dict[str, list[Target]]]:
    """Each service's targets for the period by measure key (intermediate before
    long-term), by service id: one query."""
    found: dict[int, dict[str, list[Target]]] = {service.pk: {} for service in services}
    for target in Target.objects.filter(
        service__in=services, period_start=period.start, period_end=period.end
    ).order_by("service", "kind"):
        found[target.service_id].setdefault(target.measure_key, []).append(target)
    return found


def targets_for(service: Service, period: Period) -> dict[str, list[Target]]:
    return targets_of([service], period)[service.pk]


def snapshots_of(services: list[Service], period: Period) -> dict[int, PeriodSnapshot]:
    """The figures frozen for exactly this period, of each service that has them, by
    service id (named periods are frozen before a purge deletes records they count:
    ``outcomes.snapshots``): one query."""
    return {
        snapshot.service_id: snapshot
        for snapshot in PeriodSnapshot.objects.filter(
            service__in=services, period_start=period.start, period_end=period.end
        )
    }


def snapshot_for(service: Service, period: Period) -> PeriodSnapshot | None:
    """The figures frozen for exactly this service and period, if any."""
    return snapshots_of([service], period).get(service.pk)


def frozen_figure(
    snapshot: PeriodSnapshot, measure: Measure, as_of: datetime.date
) -> Figure | None:
    """The measure's figure as the snapshot holds it: as at the day it was taken, or, for
    a day before that (the RR Board report asks for the period's last day), as at the
    period's last day. None for a measure added to the registry since. Every version of
    the snapshot's shape (``outcomes.figures.FIGURES_VERSION``) keeps the measures alike."""
    part = "measures" if as_of >= snapshot.as_of else "measures_at_end"
    data = snapshot.figures[part].get(measure.key)
    return None if data is None else Figure.from_json(data)


@dataclass(frozen=True)
class Held:
    """Where a period's figures as at a day are read from, when they are not counted live:
    its snapshot (frozen before a purge, which wins), or its kept figures
    (``outcomes.kept``: a named period that has ended, as at its last day)."""

    day: datetime.date
    snapshot: PeriodSnapshot | None = None
    kept: KeptFigures | None = None

    def records(self) -> dict[str, Any] | None:
        """The RR Board report's figures counted from records, as held (None: count them
        live). A snapshot kept in an older shape refuses (``frozen_record_figures``)."""
        if self.snapshot is not None:
            return frozen_record_figures(self.snapshot)
        return None if self.kept is None else records_of(self.kept)


def held(service: Service, period: Period, day: datetime.date) -> Held:
    """The period's snapshot if it has one, else its kept figures as at ``day`` (counted
    and kept on a miss), else nothing held: two queries when held."""
    snapshot = snapshot_for(service, period)
    if snapshot is not None:
        return Held(day, snapshot=snapshot)
    return Held(day, kept=kept_for(service, period, as_of=day))


def figure_for(
    service: Scope,
    measure: Measure,
    period: Period,
    as_of: datetime.date,
    snapshot: PeriodSnapshot | None,
    kept: Kept | None = None,
) -> Figure:
    """The frozen figure when the period has a snapshot holding it, else the kept one
    (``kept`` is as at the period's last day: the caller asks for it only as at that day),
    else counted live. ``service``: a service, or several services for their total."""
    frozen = None if snapshot is None else frozen_figure(snapshot, measure, as_of)
    if frozen is None and kept is not None:
        frozen = figure_of(kept, measure)
    return frozen if frozen is not None else measure.compute(service, period, as_of)


def measures_for_period(
    service: Service,
    period: Period,
    *,
    as_of: datetime.date | None = None,
    source: Held | None = None,
) -> list[MeasureResult]:
    """Every measure for the period as at ``as_of`` (by default the day the pages count it
    as at, ``kept.counted_as_at``: a closed period's last day, else today), with its
    targets and status. A fixed number of queries (one or two per measure), whatever the
    size of the service. A period whose figures were frozen (``snapshot_for``) gives the
    frozen figures; a named period that has ended, as at its last day, its kept figures (one
    read); targets are read live. ``source``: what ``held`` found, when the caller has it."""
    day = as_of or (source.day if source else counted_as_at(period))
    found = source if source is not None and source.day == day else held(service, period, day)
    return _results(service, period, found, targets_for(service, period), tolerance_of(service))


def _results(
    service: Service,
    period: Period,
    found: Held,
    targets: dict[str, list[Target]],
    tolerance: int,
) -> list[MeasureResult]:
    """Every measure of the service for the period as at ``found.day``, from what is held
    (else counted live), judged against its targets."""
    day = found.day
    results = []
    for measure in MEASURES:
        figure = figure_for(service, measure, period, day, found.snapshot, found.kept)
        results.append(
            MeasureResult(
                measure=measure,
                figure=figure,
                targets=[
                    TargetResult(target.kind, target.value, *judged, unit=measure.target_unit)
                    for target in targets.get(measure.key, [])
                    for judged in [
                        judge(measure, figure, target.value, period, day, tolerance=tolerance)
                    ]
                ],
            )
        )
    return results


def measures_for_services(
    services: list[Service], period: Period, *, as_of: datetime.date | None = None
) -> tuple[list[tuple[Service, list[MeasureResult]]], list[MeasureResult]]:
    """Every measure for each service (with its targets), and the total of them all: the
    total is counted over the services together (``measures.Services``), so a person in
    two services counts once in it. A named period that has ended, as at its last day,
    gives its kept total (``kept.kept_for``: one read, counted and kept on a miss); any
    other period or day is counted live. A total has no target (targets are set per
    service)."""
    day = as_of or counted_as_at(period)
    # What each service's column needs, read for every service at once (a few queries,
    # however many services): snapshots, kept figures, targets and tolerances.
    snapshots = snapshots_of(services, period)
    kept_rows = kept_for_services(
        [service for service in services if service.pk not in snapshots], period, as_of=day
    )
    targets, tolerances = targets_of(services, period), tolerances_of(services)
    each = [
        (
            service,
            _results(
                service,
                period,
                Held(day, snapshot=snapshots.get(service.pk), kept=kept_rows.get(service.pk)),
                targets[service.pk],
                tolerances[service.pk],
            ),
        )
        for service in services
    ]
    together = Services(tuple(services))
    kept = kept_for(together, period, as_of=day)
    total = [
        MeasureResult(
            measure=measure,
            figure=figure_for(together, measure, period, day, None, kept),
            targets=[],
        )
        for measure in MEASURES
    ]
    return each, total


def trend(
    service: Service, measure: Measure, periods: list[Period], *, as_of: datetime.date | None = None
) -> list[tuple[Period, float | None]]:
    """The measure over several periods, each as at the day the pages count it as at
    (``as_of`` for all of them, if given): frozen, kept (a closed named period, as at its
    last day) or live. One query finds the snapshots and one the kept figures; only a
    period still open (or not kept yet) is counted."""
    today = timezone.localdate()
    frozen = {
        (snapshot.period_start, snapshot.period_end): snapshot
        for snapshot in PeriodSnapshot.objects.filter(
            service=service, period_start__in=[period.start for period in periods]
        )
    }
    to_keep = [
        period
        for period in periods
        if (period.start, period.end) not in frozen
        and (as_of is None or as_of == counted_as_at(period, today))
    ]
    kept = kept_for_periods(service, to_keep, today=today)
    return [
        (
            period,
            figure_for(
                service,
                measure,
                period,
                as_of or counted_as_at(period, today),
                frozen.get((period.start, period.end)),
                kept.get((period.start, period.end)),
            ).value,
        )
        for period in periods
    ]


def drilldown(
    service: Service, measure: Measure, period: Period, *, as_of: datetime.date | None = None
) -> QuerySet[Any]:
    """The records the measure counted as at ``as_of`` (by default the day the pages count
    the period as at, as its figure is). Names people: the caller checks the role."""
    return measure.records(service, period, as_of or counted_as_at(period))


def outcomes_of(user: User, participant: Participant) -> tuple[list[Order], list[ProvenOffence]]:
    """The person's orders and proven offences, for the roles that record them (criminal
    offence data, shown no wider than needed), if the person is in the user's scope."""
    if not can(user, Action.RECORD_OUTCOMES):
        return [], []
    if not participants_for(user).filter(pk=participant.pk).exists():
        return [], []
    return (
        list(Order.objects.filter(participant=participant).select_related("recorded_by")),
        list(ProvenOffence.objects.filter(participant=participant).select_related("recorded_by")),
    )


def referrals_by(service: Service, period: Period, field: str) -> list[tuple[str, int]]:
    """Referrals received in the period by source or by cohort, labelled (one aggregate
    query)."""
    return labelled(referral_counts(service, period, field), field)


def labelled(counts: dict[str, int], field: str) -> list[tuple[str, int]]:
    """Referral counts by ``source`` or ``cohort``, counted now or kept, labelled."""
    return [(label, counts.get(value, 0)) for value, label in CHOICES[field]]


def facts_recorded_after(service: Service, period: Period) -> dict[str, int]:
    """Facts about the period recorded after its last day, which figures as at that day
    do not count (an updated edition does): orders that ended in the period, sustainment
    checks due in it, distance-travelled readings taken in it, and proven offences of the
    people who started support in it. One query per kind."""
    after = period.after_end
    starters = Referral.objects.filter(service=service).filter(period.q("started_at"))
    return {
        "orders": Order.objects.filter(
            order_type__in=COMMUNITY_ORDERS,
            participant__referrals__service=service,
            recorded_at__gte=after,
        )
        .filter(period.q("actual_end_date"))
        .distinct()
        .count(),
        "sustainment_checks": SustainmentCheck.objects.filter(
            service=service, checked_on__gt=period.end
        )
        .filter(period.q("due_on"))
        .count(),
        "readings": Reading.objects.filter(referral__service=service, created_at__gte=after)
        .filter(period.q("taken_on"))
        .count(),
        "offences": ProvenOffence.objects.filter(
            participant__in=starters.values("participant"), recorded_at__gte=after
        ).count(),
    }
