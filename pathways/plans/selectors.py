"""Reads of plans and distance travelled. People are reached only through a referral that
came from ``core.access`` (``referrals.selectors.referral_get_for``) or through
``referrals_for``."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncDate
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.reference import in_use
from pathways.core.roles import Role
from pathways.plans.models import (
    INITIAL_REVIEW_DAYS,
    Goal,
    Instrument,
    PathwayPlan,
    PlanReview,
    Reading,
    ReadingScore,
    Step,
    review_due_on,
)
from pathways.plans.reference import DEFAULT_INSTRUMENT
from pathways.referrals.access import referrals_for
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralQuerySet

# ---------------------------------------------------------------- plan and reviews


def plan_of(referral: Referral) -> PathwayPlan | None:
    """The referral's plan with its goals (steps in order) and reviews, or None."""
    return (
        PathwayPlan.objects.filter(referral=referral)
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.prefetch_related("steps")),
            Prefetch("reviews", queryset=PlanReview.objects.select_related("reviewed_by")),
        )
        .first()
    )


def goal_of(referral: Referral, pk: int) -> Goal | None:
    return Goal.objects.filter(plan__referral=referral, pk=pk).select_related("plan").first()


def step_of(referral: Referral, pk: int) -> Step | None:
    return (
        Step.objects.filter(goal__plan__referral=referral, pk=pk)
        .select_related("goal__plan")
        .first()
    )


def _latest_next_due() -> Subquery:
    return Subquery(
        PlanReview.objects.filter(plan__referral=OuterRef("pk"))
        .order_by("-reviewed_on", "-id")
        .values("next_review_due")[:1],
        output_field=DateField(),
    )


def with_review_due(qs: ReferralQuerySet) -> ReferralQuerySet:
    """Annotate ``next_review_due``: the date the latest review set (None before any)."""
    return qs.annotate(next_review_due=_latest_next_due())


def overdue_q(today: datetime.date) -> Q:
    """On a queryset annotated by ``with_review_due``: the plan's review is overdue.

    Before any review, the initial review is due ``INITIAL_REVIEW_DAYS`` after the start.
    """
    start_cutoff = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=INITIAL_REVIEW_DAYS), datetime.time.min
        )
    )
    return Q(next_review_due__lt=today) | Q(
        next_review_due__isnull=True, started_at__lt=start_cutoff
    )


def review_due_expression() -> Coalesce:
    """On a queryset annotated by ``with_review_due``: the date the review is (or was) due,
    the initial one ``INITIAL_REVIEW_DAYS`` after the start's local day, to order by."""
    initial = ExpressionWrapper(
        TruncDate("started_at") + datetime.timedelta(days=INITIAL_REVIEW_DAYS),
        output_field=DateField(),
    )
    return Coalesce("next_review_due", initial, output_field=DateField())


def review_due(referral: Referral) -> datetime.date | None:
    """When the referral's next plan review is due."""
    latest = (
        PlanReview.objects.filter(plan__referral=referral).order_by("-reviewed_on", "-id").first()
    )
    return latest.next_review_due if latest else review_due_on(referral.started_at)


def overdue_reviews_for(user: User) -> ReferralQuerySet:
    """People receiving support whose plan review is overdue: a worker's own cases, or the
    whole service for the manager; the longest overdue first."""
    qs = referrals_for(user).active()
    if user.role == Role.WORKER:
        qs = qs.filter(worker=user)
    return (
        with_review_due(qs)
        .filter(overdue_q(timezone.localdate()))
        .select_related("participant", "worker")
        .order_by(review_due_expression(), "id")
    )


# ---------------------------------------------------------------- readings


def instruments_in_use() -> QuerySet[Instrument]:
    return Instrument.objects.filter(in_use()).prefetch_related("areas", "bands")


def default_instrument() -> Instrument | None:
    return instruments_in_use().filter(name=DEFAULT_INSTRUMENT).first()


def readings_of(referral: Referral) -> list[Reading]:
    return list(
        referral.readings.select_related("taken_by", "instrument")
        .prefetch_related("scores")
        .order_by("taken_on", "id")
    )


def latest_readings(referrals: QuerySet[Referral]) -> list[Reading]:
    """The readings of the latest episode with any, among referrals already scoped."""
    latest = (
        Reading.objects.filter(referral__in=referrals)
        .order_by("-referral__started_at", "-referral_id")
        .values("referral_id")[:1]
    )
    return list(
        Reading.objects.filter(referral_id__in=Subquery(latest))
        .select_related("instrument")
        .prefetch_related("scores")
        .order_by("taken_on", "id")
    )


def reading_kinds(referral: Referral) -> set[str]:
    """The kinds of reading the episode has (intake, review, exit)."""
    return set(referral.readings.values_list("kind", flat=True).distinct())


@dataclass(frozen=True)
class AreaProgress:
    area: str
    first: int
    latest: int
    first_band: str
    latest_band: str

    @property
    def change(self) -> int:
        return self.latest - self.first


@dataclass(frozen=True)
class Progress:
    """First against latest reading of one episode, per area."""

    instrument: Instrument
    first: Reading
    latest: Reading
    rows: list[AreaProgress] = field(default_factory=list)
    count: int = 0  # how many readings the episode has with this instrument

    @property
    def has_change(self) -> bool:
        return self.first.pk != self.latest.pk


def progress_of(readings: list[Reading]) -> Progress | None:
    """From an episode's readings (as ``readings_of`` gives them), or None if there are none."""
    if not readings:
        return None
    first, latest = readings[0], readings[-1]
    instrument = first.instrument
    areas = list(instrument.areas.all())
    bands = list(instrument.bands.all())

    def band(score: int) -> str:
        return next((b.label for b in bands if b.lowest <= score <= b.highest), "")

    first_scores = {s.area_id: s.score for s in first.scores.all()}
    latest_scores = {s.area_id: s.score for s in latest.scores.all()}
    rows = [
        AreaProgress(
            area=area.name,
            first=first_scores[area.pk],
            latest=latest_scores[area.pk],
            first_band=band(first_scores[area.pk]),
            latest_band=band(latest_scores[area.pk]),
        )
        for area in areas
        if area.pk in first_scores and area.pk in latest_scores
    ]
    return Progress(
        instrument=instrument, first=first, latest=latest, rows=rows, count=len(readings)
    )


# ---------------------------------------------------------------- service figures


@dataclass(frozen=True)
class AreaFigures:
    area: str
    average_start: float
    average_change: float


# How the episodes counted moved between their first and latest readings: (the attribute
# of DistanceFigures holding the count, its label).
MOVEMENTS: tuple[tuple[str, str], ...] = (
    ("moved_up", "Moved up"),
    ("stayed", "Stayed the same"),
    ("moved_down", "Moved down"),
)


@dataclass(frozen=True)
class DistanceFigures:
    """Distance travelled in a period, for one instrument. Counts and averages only."""

    instrument: Instrument
    start: datetime.date
    end: datetime.date
    counted: int
    moved_up: int
    stayed: int
    moved_down: int
    areas: list[AreaFigures]

    def share(self, n: int) -> float | None:
        return n / self.counted if self.counted else None

    @property
    def shares(self) -> list[tuple[str, int, float | None]]:
        counts = [(label, getattr(self, key)) for key, label in MOVEMENTS]
        return [(label, n, self.share(n)) for label, n in counts]


def _scores() -> QuerySet[ReadingScore, Any]:
    """On a queryset of readings: the reading's scores, grouped as one."""
    return ReadingScore.objects.filter(reading_id=OuterRef("pk")).order_by().values("reading_id")


def scores_total() -> Subquery:
    """On a queryset of readings: the sum of the reading's scores (None if it has none)."""
    return Subquery(_scores().annotate(total=Sum("score")).values("total"), IntegerField())


def scores_span() -> Any:
    """On a queryset of readings: the span of the reading's instrument over all its areas,
    the number of areas scored times the width of the scale (a total can move by at most
    this much)."""
    scored = Coalesce(Subquery(_scores().annotate(n=Count("id")).values("n")), 0)
    width = Subquery(
        Instrument.objects.filter(pk=OuterRef("instrument_id"))
        .annotate(width=F("scale_max") - F("scale_min"))
        .values("width"),
        IntegerField(),
    )
    return ExpressionWrapper(scored * width, output_field=IntegerField())


def _total() -> Coalesce:
    """The reading's total as kept (``Reading.total``), or worked out where it is not."""
    return Coalesce(F("total"), scores_total())


def _span() -> Coalesce:
    """The reading's span as kept (``Reading.span``), or worked out where it is not."""
    return Coalesce(F("span"), scores_span())


def _of(readings: QuerySet[Reading], value: Any) -> Subquery:
    """``value`` of the first of ``readings`` (in their order), as a subquery."""
    return Subquery(readings.annotate(value=value).values("value")[:1], output_field=IntegerField())


def counted_episodes(
    service: Service | Sequence[Service],
    instrument: Instrument | None,
    start: datetime.date,
    end: datetime.date,
    *,
    with_readings: bool = True,
) -> QuerySet[Referral]:
    """The episodes the distance-travelled figures count (see docs/measures.md): with at
    least two readings with the instrument taken by ``end``, the latest of them within the
    period. Each is annotated with its first and latest reading (``first_reading``,
    ``latest_reading``; not ``with_readings=False``, for aggregates that need only the
    totals) and their totals (``first_total``, ``latest_total``).

    ``instrument=None`` counts every instrument, each episode with its own (every reading
    of an episode uses the instrument of its first: ``services.reading_record``), and
    annotates ``span`` (how far its total can move: ``change_share``) and
    ``reading_instrument`` (the instrument's id).

    Each annotation is one lookup of its own on the episode's readings (by the index on
    referral, instrument, date), reading the reading's kept ``total`` and ``span``, never
    built from another annotation: Django writes an
    annotation out again wherever another one refers to it, and the aggregates over these
    episodes (``distance_travelled``, ``overall_distance``) then read the annotations as
    columns of a subquery, each computed once per episode."""
    of_instrument = Q() if instrument is None else Q(instrument=instrument)
    readings = Reading.objects.filter(of_instrument, referral=OuterRef("pk"), taken_on__lte=end)
    first = readings.order_by("taken_on", "id")
    latest = readings.order_by("-taken_on", "-id")
    # The latest reading by the end falls in the period exactly when some reading does.
    in_period = readings.filter(taken_on__gte=start)
    of_service = (
        Q(service=service) if isinstance(service, Service) else Q(service__in=list(service))
    )
    by_end = Q(readings__taken_on__lte=end)
    if instrument is not None:
        by_end &= Q(readings__instrument=instrument)
    episodes = (
        Referral.objects.filter(Exists(in_period), of_service)
        .annotate(n_readings=Count("readings", filter=by_end))
        .filter(n_readings__gte=2)
    )
    if with_readings:
        episodes = episodes.annotate(
            first_reading=_of(first, F("id")), latest_reading=_of(latest, F("id"))
        )
    episodes = episodes.annotate(
        first_total=_of(first, _total()), latest_total=_of(latest, _total())
    )
    if instrument is not None:
        return episodes
    return episodes.annotate(
        span=_of(first, _span()), reading_instrument=_of(first, F("instrument_id"))
    )


def change_share() -> Any:
    """On ``counted_episodes`` of every instrument: the change from the first total to the
    latest as a share of the episode's span (None where the span is 0)."""
    return Cast(F("latest_total") - F("first_total"), FloatField()) / Cast(
        NullIf(F("span"), 0), FloatField()
    )


def _moves() -> dict[str, Count]:
    """The aggregates of the moves over ``counted_episodes``."""
    return {
        "counted": Count("id"),
        "up": Count("id", filter=Q(latest_total__gt=F("first_total"))),
        "same": Count("id", filter=Q(latest_total=F("first_total"))),
        "down": Count("id", filter=Q(latest_total__lt=F("first_total"))),
    }


@dataclass(frozen=True)
class OverallDistance:
    """Distance travelled in a period over every instrument: each episode moved up, stayed
    or moved down by its own instrument's total, and its change is a share of that
    instrument's scale, so episodes on different tools count together."""

    counted: int
    moved_up: int
    stayed: int
    moved_down: int
    average_change: float | None  # the mean change, as a share of each episode's scale
    by_instrument: list[tuple[str, int]]  # episodes counted per instrument, by name

    def share(self, n: int) -> float | None:
        return n / self.counted if self.counted else None

    @property
    def shares(self) -> list[tuple[str, int, float | None]]:
        counts = [(label, getattr(self, key)) for key, label in MOVEMENTS]
        return [(label, n, self.share(n)) for label, n in counts]


def overall_distance(
    service: Service | Sequence[Service], start: datetime.date, end: datetime.date
) -> OverallDistance:
    """Every instrument's episodes together, in one pass of database aggregates: the moves,
    the mean change as a share of each episode's scale, and the episodes counted per
    instrument."""
    instruments = dict(Instrument.objects.values_list("pk", "name"))
    episodes = counted_episodes(service, None, start, end, with_readings=False)
    figures = episodes.aggregate(
        **_moves(),
        average=Avg(change_share()),
        **{f"instrument_{pk}": Count("id", filter=Q(reading_instrument=pk)) for pk in instruments},
    )
    per_instrument: dict[str, int] = {}
    for pk, name in instruments.items():
        if figures[f"instrument_{pk}"]:
            per_instrument[name] = per_instrument.get(name, 0) + figures[f"instrument_{pk}"]
    return OverallDistance(
        counted=figures["counted"],
        moved_up=figures["up"],
        stayed=figures["same"],
        moved_down=figures["down"],
        average_change=figures["average"],
        by_instrument=sorted(per_instrument.items()),
    )


def _average_by_area(readings: QuerySet[Any]) -> dict[int, float]:
    return {
        area: float(average)
        for area, average in ReadingScore.objects.filter(reading_id__in=readings)
        .order_by()
        .values_list("area_id")
        .annotate(average=Avg("score"))
    }


def distance_travelled(
    service: Service, start: datetime.date, end: datetime.date, instrument: Instrument
) -> DistanceFigures:
    """Average start score and average change per area, and the shares who moved up,
    stayed and moved down: database aggregates over the counted episodes."""
    episodes = counted_episodes(service, instrument, start, end)
    moves = counted_episodes(service, instrument, start, end, with_readings=False).aggregate(
        **_moves()
    )
    # Annotations, which django-stubs cannot see.
    firsts = episodes.values("first_reading")  # type: ignore[misc]
    latests = episodes.values("latest_reading")  # type: ignore[misc]
    # One grouped average per set of readings: each is a semi-join on the service's own
    # readings, so the cost follows the service, not the whole table.
    starts, latest = _average_by_area(firsts), _average_by_area(latests)
    areas = [
        AreaFigures(
            area=area.name,
            average_start=starts[area.pk],
            average_change=latest[area.pk] - starts[area.pk],
        )
        for area in instrument.areas.all()
        if area.pk in starts and area.pk in latest
    ]
    return DistanceFigures(
        instrument=instrument,
        start=start,
        end=end,
        counted=moves["counted"],
        moved_up=moves["up"],
        stayed=moves["same"],
        moved_down=moves["down"],
        areas=areas,
    )
