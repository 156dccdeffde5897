"""The measure registry: what the commissioner pays for, each with its definition, one
function computing it with database aggregates, and a drill-down of the records counted.

Every measure is computed for one service, or several together (``Services``: a
commissioner's region, each person counted once), and one period. Definitions are written here
(shown on screen) and in docs/measures.md; a test keeps the two in step.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.db.models.lookups import GreaterThan, IsNull
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.core.periods import Period
from pathways.employers.models import Opportunity, OpportunityKind
from pathways.outcomes.follow_up import follow_up_bounds
from pathways.outcomes.models import (
    Order,
    OrderMeasureSetting,
    ProvenOffence,
    Termination,
    default_headline_orders,
)
from pathways.placements.models import SUSTAINMENT_WEEKS, Placement, SustainmentCheck
from pathways.plans.models import Goal
from pathways.plans.selectors import counted_episodes, overall_distance
from pathways.referrals.models import EndReason, OrderType, Referral

# Community sentences, for measure 7: the headline counts the service's setting
# (``OrderMeasureSetting``: community orders unless set), the others are shown by type.
COMMUNITY_ORDERS = (
    OrderType.COMMUNITY_ORDER,
    OrderType.SUSPENDED_SENTENCE,
    OrderType.YOUTH_REHABILITATION,
)


@dataclass(frozen=True)
class Services:
    """Several services counted together (a region, a national view): a total counts each
    person once, however many of the services they were in. Its capacity is the sum."""

    members: tuple[Service, ...]

    @property
    def capacity(self) -> int:
        return sum(service.capacity for service in self.members)


Scope = Service | Services


def of_scope(scope: Scope, path: str) -> Q:
    """Records of the service, or of any of several services (``path`` names the service)."""
    if isinstance(scope, Services):
        return Q(**{f"{path}__in": scope.members})
    return Q(**{path: scope})


def headline_orders(service: Scope) -> list[str]:
    """The order types measure 7's headline counts for the service (for several services,
    every type any of them counts)."""
    members = service.members if isinstance(service, Services) else (service,)
    # One query for every member's setting (a member with none counts community orders).
    settings = {
        setting.service_id: list(setting.headline_order_types)
        for setting in OrderMeasureSetting.objects.filter(service__in=members)
    }
    if not isinstance(service, Services):
        return settings.get(service.pk, default_headline_orders())
    types = {
        kind for member in members for kind in settings.get(member.pk, default_headline_orders())
    }
    return [kind for kind in COMMUNITY_ORDERS if kind in types]


@dataclass(frozen=True)
class Figure:
    """A measure's value for a period. ``numerator`` and ``denominator`` where it is a
    share; ``breakdown`` where it has parts; ``note`` says what the value leaves out."""

    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    breakdown: list[tuple[str, int]] = field(default_factory=list)
    note: str = ""

    @property
    def rate(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator

    def as_json(self) -> dict[str, Any]:
        """The figure as plain data, as a period snapshot keeps it."""
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "breakdown": [[label, count] for label, count in self.breakdown],
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        return cls(
            value=data["value"],
            numerator=data["numerator"],
            denominator=data["denominator"],
            breakdown=[(label, count) for label, count in data["breakdown"]],
            note=data["note"],
        )


@dataclass(frozen=True)
class Column:
    label: str
    path: str  # attribute path on the drill-down record, dotted
    labels: tuple[tuple[str, str], ...] = ()  # (value, label) to show a coded value

    def of(self, record: Any) -> Any:
        value = record
        for part in self.path.split("."):
            value = getattr(value, part, None)
            if callable(value):
                value = value()
        return dict(self.labels).get(value, value) if self.labels else value


class TargetUnit:
    """Whether a measure's target is a count or a rate: its status compares like with like
    (``outcomes.selectors.judged_value``)."""

    COUNT = "count"
    RATE = "rate"  # per cent of the figure's denominator


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    definition: str
    compute: Callable[[Scope, Period, datetime.date], Figure]
    records: Callable[[Scope, Period, datetime.date], QuerySet[Any]]
    columns: tuple[Column, ...]
    number: int | None = None  # the commissioning decision's numbering (1-8)
    unit: str = "count"  # count, days, percent
    # What the target is: a count (or days), compared with the figure's value, or a rate
    # in per cent, compared with the figure's share (numerator of denominator).
    target_unit: str = "count"  # TargetUnit
    higher_is_better: bool = True
    # The figure builds up over the period (a count of events), so an open period is judged
    # against the pro-rata target; a caseload or an average does not.
    builds_up: bool = True

    @property
    def title(self) -> str:
        return f"{self.number}. {self.name}" if self.number else self.name


# ---------------------------------------------------------------- helpers


def _referrals(service: Scope) -> QuerySet[Referral]:
    return Referral.objects.filter(of_scope(service, "service"))


def _placements(service: Scope) -> QuerySet[Placement]:
    return Placement.objects.filter(of_scope(service, "service"))


def _count(qs: QuerySet[Any]) -> Figure:
    return Figure(qs.count())


def _people(qs: QuerySet[Any]) -> Figure:
    return Figure(qs.aggregate(n=Count("participant", distinct=True))["n"])


def as_at_moment(as_of: datetime.date) -> datetime.datetime:
    """The moment figures "as at" a day are counted at: local midnight at its end."""
    return timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time())
    )


def _in(period: Period, as_of: datetime.date, field: str) -> Q:
    """``field`` falls in the period and had happened, and was recorded, by the end of
    ``as_of``: a figure as at a day counts only what was known that day (a date-time field
    here is stamped when the fact is recorded)."""
    if field.endswith("_at"):
        return period.q(field) & Q(**{f"{field}__lt": as_at_moment(as_of)})
    return period.q(field) & Q(**{f"{field}__lte": as_of})


def _recorded_by(as_of: datetime.date, field: str = "recorded_at") -> Q:
    """An order or offence entered (by hand or from an extract) by the end of ``as_of``."""
    return Q(**{f"{field}__lt": as_at_moment(as_of)})


PERSON = (Column("Person", "participant.full_name"), Column("CRN", "participant.crn"))
REFERRAL_COLUMNS = (
    *PERSON,
    Column("Received", "received_at"),
    Column("Started", "started_at"),
    Column("Ended", "ended_at"),
)
PLACEMENT_COLUMNS = (
    *PERSON,
    Column("Opportunity", "opportunity.title"),
    Column("Kind", "opportunity.get_kind_display"),
    Column("Put forward", "put_forward_at"),
    Column("Started", "started_on"),
    Column("Completed", "completed_on"),
)
OPPORTUNITY_COLUMNS = (
    Column("Opportunity", "title"),
    Column("Employer", "employer.name"),
    Column("Kind", "get_kind_display"),
    Column("Created", "created_at"),
    Column("Places", "places"),
)


# ---------------------------------------------------------------- 1-2: placements created


def _opportunities(kinds: tuple[str, ...]) -> Callable[..., QuerySet[Opportunity]]:
    def records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Opportunity]:
        return (
            Opportunity.objects.filter(of_scope(service, "employer__service"), kind__in=kinds)
            .filter(_in(period, as_of, "created_at"))
            .select_related("employer")
            .order_by("created_at", "id")
        )

    return records


_training = _opportunities((OpportunityKind.TRAINING,))
_employment = _opportunities((OpportunityKind.WORK, OpportunityKind.JOB))


# ---------------------------------------------------------------- 3, 5, 6: placements


def _placements_by(date_field: str, **filters: Any) -> Callable[..., QuerySet[Placement]]:
    def records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Placement]:
        return (
            _placements(service)
            .filter(_in(period, as_of, date_field), **filters)
            .select_related("participant", "opportunity__employer")
            .order_by(date_field, "id")
        )

    return records


_put_forward = _placements_by("put_forward_at")
_started = _placements_by("started_on")
# A job is never a completed placement: jobs are judged by sustainment.
_completed = _placements_by(
    "completed_on", opportunity__kind__in=(OpportunityKind.TRAINING, OpportunityKind.WORK)
)
job_starts = _placements_by("started_on", opportunity__kind=OpportunityKind.JOB)


# ---------------------------------------------------------------- 4: plan goals achieved


def _goals(service: Scope) -> QuerySet[Goal]:
    return Goal.objects.filter(of_scope(service, "plan__referral__service"))


def _goals_achieved(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Goal]:
    return (
        _goals(service)
        .filter(_in(period, as_of, "achieved_on"))
        .select_related("plan__referral__participant")
        .order_by("achieved_on", "id")
    )


def _goals_figure(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    # The goals achieved (as ``_goals_achieved``) and the goals set, in one pass.
    was_achieved, was_set = _in(period, as_of, "achieved_on"), _in(period, as_of, "created_at")
    achieved = (
        _goals(service)
        .filter(was_achieved | was_set)
        .aggregate(
            people=Count("plan__referral__participant", distinct=True, filter=was_achieved),
            goals=Count("id", filter=was_achieved),
            goals_set=Count("id", filter=was_set),
        )
    )
    goals_set = achieved["goals_set"]
    return Figure(
        achieved["people"],
        breakdown=[
            ("Goals achieved in the period", achieved["goals"]),
            ("Goals set in the period", goals_set),
        ],
        note=f"{achieved['goals']} goals achieved and {goals_set} set in the period.",
    )


# ---------------------------------------------------------------- distance travelled


def _members(service: Scope) -> Service | tuple[Service, ...]:
    return service.members if isinstance(service, Services) else service


def _distance(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    # Readings taken by the end of the period, or of ``as_of`` if earlier; every
    # instrument, each episode's change a share of its own instrument's scale.
    figures = overall_distance(_members(service), period.start, min(period.end, as_of))
    average = figures.average_change
    note = (
        "No episode had two readings by the end of the period with the latest in it."
        if average is None
        else f"Average change {average:+.0%} of the scale (each tool's own)."
    )
    return Figure(
        figures.moved_up,
        numerator=figures.moved_up,
        denominator=figures.counted,
        breakdown=[
            *((label, count) for label, count, _share in figures.shares),
            *((f"With {name}", count) for name, count in figures.by_instrument),
        ],
        note=note,
    )


def _distance_records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Any]:
    return (
        counted_episodes(_members(service), None, period.start, min(period.end, as_of))
        .select_related("participant")
        .order_by("participant__last_name", "id")
    )


# ---------------------------------------------------------------- 7: orders completed


def _supported(service: Scope) -> Exists:
    """The order's person started support with the service on or before the order ended."""
    return Exists(
        _referrals(service).filter(
            participant=OuterRef("participant"),
            started_at__isnull=False,
            started_at__date__lte=OuterRef("actual_end_date"),
        )
    )


def _orders_ended(
    service: Scope,
    period: Period,
    as_of: datetime.date,
    types: tuple[str, ...] | list[str] | None = None,
) -> QuerySet[Order]:
    """Orders of ``types`` (the headline's, unless given) that ended in the period."""
    return Order.objects.filter(
        _supported(service),
        order_type__in=headline_orders(service) if types is None else types,
        actual_end_date__isnull=False,
    ).filter(_in(period, as_of, "actual_end_date"), _recorded_by(as_of))


def _orders(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    headline_types = headline_orders(service)
    # The headline's orders and every community sentence by type, in one pass over the
    # orders that ended (each checked once against the service's starts).
    # (No type: nothing is the headline's.)
    of_headline = Q(order_type__in=headline_types) if headline_types else Q(pk__isnull=True)
    types = [*COMMUNITY_ORDERS, *(kind for kind in headline_types if kind not in COMMUNITY_ORDERS)]
    counts = _orders_ended(service, period, as_of, types).aggregate(
        ended=Count("participant", distinct=True, filter=of_headline),
        completed=Count(
            "participant",
            distinct=True,
            filter=of_headline & Q(termination=Termination.COMPLETED),
        ),
        # Every community sentence by type, people completing of people whose order ended.
        **{
            f"{kind}__ended": Count("participant", distinct=True, filter=Q(order_type=kind))
            for kind in COMMUNITY_ORDERS
        },
        **{
            f"{kind}__completed": Count(
                "participant",
                distinct=True,
                filter=Q(order_type=kind, termination=Termination.COMPLETED),
            )
            for kind in COMMUNITY_ORDERS
        },
    )
    breakdown = []
    for kind in COMMUNITY_ORDERS:
        label = OrderType(kind).label
        breakdown.append((f"{label}: completed", counts[f"{kind}__completed"]))
        breakdown.append((f"{label}: ended", counts[f"{kind}__ended"]))
    headline = ", ".join(OrderType(kind).label.lower() for kind in headline_types)
    return Figure(
        counts["completed"],
        numerator=counts["completed"],
        denominator=counts["ended"],
        breakdown=breakdown,
        note=f"The headline counts: {headline}.",
    )


def _orders_records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Order]:
    return (
        _orders_ended(service, period, as_of)
        .select_related("participant")
        .order_by("actual_end_date", "id")
    )


# ---------------------------------------------------------------- 8: not reoffending


def _first_starts(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Referral]:
    """Each person once: the first episode of theirs that started in the period (a person
    re-referred in the same period has one follow-up, from their first start)."""
    started = _referrals(service).filter(_in(period, as_of, "started_at"))
    earlier = started.filter(participant=OuterRef("participant")).filter(
        Q(started_at__lt=OuterRef("started_at"))
        | Q(started_at=OuterRef("started_at"), id__lt=OuterRef("id"))
    )
    return started.filter(~Exists(earlier))


def _in_window(index_day: Any, committed_before: Any, proven_before: Any) -> Q:
    """An offence committed on or after the index date and before the same date a year
    later, and proven before the date 18 months after it (``follow_up``)."""
    return Q(
        committed_on__gte=index_day,
        committed_on__lt=committed_before,
        proven_on__lt=proven_before,
    )


def _custody_at_start(as_of: datetime.date) -> QuerySet[Order]:
    """The custodial sentence the person was serving when support started (on ROTL): one
    started on or before that day and not ended by it, as recorded by ``as_of``."""
    return Order.objects.filter(
        _recorded_by(as_of),
        participant=OuterRef("participant"),
        order_type=OrderType.CUSTODIAL,
        start_date__lte=OuterRef("support_day"),
    ).filter(Q(actual_end_date__isnull=True) | Q(actual_end_date__gt=OuterRef("support_day")))


# Where the person is still serving the custodial sentence they were in when support
# started (no release recorded), ``_held_until`` gives this day: after every period, so
# such a person is in custody at the end of any period, and has no index date.
NOT_RELEASED = datetime.date(9999, 12, 31)


def _held_until(as_of: datetime.date) -> Subquery:
    """On episodes annotated with ``support_day``: the end of the custodial sentence the
    person was serving when support started (``NOT_RELEASED`` if it has not ended), or
    None if they were not in custody then. One lookup, so that every annotation built on
    it (Django writes an annotation out again wherever another refers to it) costs one."""
    return Subquery(
        _custody_at_start(as_of)
        .order_by("-start_date", "-id")
        .annotate(until=Coalesce("actual_end_date", Value(NOT_RELEASED)))
        .values("until")[:1],
        output_field=DateField(),
    )


def _reoffending_cohort(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Any]:
    """Episodes started in the period, with their index date (the start of support, or the
    release date where the person was in custody when support started, whichever is
    later), follow-up window, and whether the person has a proven offence in it. A person
    still in custody at the end of the period (no release by its last day) has no window
    that counts: they are shown apart."""
    support_day = TruncDate("started_at")
    held_until = _held_until(as_of)
    # The release from custody at the start of support, if any; else the start of support.
    # (A sentence in progress on the day support started ends after it.)
    index_day = NullIf(Coalesce(held_until, support_day), Value(NOT_RELEASED))
    bounds = follow_up_bounds(index_day)
    in_window = ProvenOffence.objects.filter(
        _in_window(OuterRef("index_day"), OuterRef("committed_before"), OuterRef("proven_before")),
        _recorded_by(as_of),
        participant=OuterRef("participant"),
    )
    return (
        _first_starts(service, period, as_of)
        .annotate(support_day=support_day)
        .annotate(
            in_custody_at_start=IsNull(held_until, False),
            released_on=NullIf(held_until, Value(NOT_RELEASED)),
            index_day=index_day,
            # Not released by the period's last day (never so for one not in custody).
            in_custody_at_end=GreaterThan(
                Coalesce(held_until, Value(datetime.date.min)), period.end
            ),
            committed_before=bounds.committed_before,
            proven_before=bounds.proven_before,
        )
        .annotate(
            reoffended=Exists(in_window),
            # How many: each offence once, as the person is in the cohort once.
            offences_in_window=Coalesce(
                Subquery(
                    in_window.order_by().values("participant").annotate(n=Count("id")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .annotate(
            window_closed=ExpressionWrapper(
                Q(in_custody_at_end=False, proven_before__lte=as_of), output_field=BooleanField()
            ),
        )
    )


def _not_reoffending(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    # Each person once, grouped by where their follow-up stands and how many proven
    # offences fall in it (0 for most): one pass, every lookup made once per person.
    standing = Case(
        When(in_custody_at_end=True, then=Value("custody")),
        When(proven_before__lte=as_of, then=Value("closed")),
        default=Value("open"),
    )
    groups = (
        _reoffending_cohort(service, period, as_of)
        .annotate(standing=standing)
        .values("standing", "offences_in_window")
        .annotate(people=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(("closed", "reoffended", "offences", "open", "open_clear"), 0)
    counts["custody"] = 0
    for row in groups:
        people, offences = row["people"], row["offences_in_window"]
        counts[row["standing"]] += people
        if row["standing"] == "closed":
            counts["reoffended"] += people if offences else 0
            # Frequency: proven re-offences in the windows that have closed.
            counts["offences"] += people * offences
        elif row["standing"] == "open" and not offences:
            counts["open_clear"] += people
    not_reoffending = counts["closed"] - counts["reoffended"]
    notes = []
    if counts["closed"]:
        notes.append(
            f"Binary rate {counts['reoffended'] / counts['closed']:.0%} reoffended; frequency "
            f"{(counts['offences'] or 0) / counts['closed']:.2f} proven re-offences per person."
        )
    if counts["open"]:
        notes.append(
            f"{counts['open_clear']} of {counts['open']} whose 18 months have not yet passed: "
            "no proven offence so far (not counted in the rate)."
        )
    if counts["custody"]:
        notes.append(
            f"{counts['custody']} still in custody at the end of the period (not counted in "
            "the rate: their follow-up starts on release)."
        )
    return Figure(
        not_reoffending,
        numerator=not_reoffending,
        denominator=counts["closed"],
        breakdown=[
            ("Reoffended (18 months passed)", counts["reoffended"]),
            ("Did not reoffend (18 months passed)", not_reoffending),
            ("Proven re-offences (18 months passed)", counts["offences"] or 0),
            ("No proven offence so far (18 months not passed)", counts["open_clear"]),
            (
                "Proven offence already (18 months not passed)",
                counts["open"] - counts["open_clear"],
            ),
            ("In custody at the end of the period (not counted)", counts["custody"]),
        ],
        note=" ".join(notes),
    )


def _reoffending_records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Any]:
    return (
        _reoffending_cohort(service, period, as_of)
        .select_related("participant")
        .order_by("started_at", "id")
    )


# ---------------------------------------------------------------- referrals and support


def _by_date(date_field: str) -> Callable[..., QuerySet[Referral]]:
    def records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Referral]:
        return (
            _referrals(service)
            .filter(_in(period, as_of, date_field))
            .select_related("participant")
            .order_by(date_field, "id")
        )

    return records


def _active_at_end(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Referral]:
    """Receiving support at the end of the period's last day, or of ``as_of`` if earlier
    (the end of a period still open is not known yet)."""
    end_of_day = min(period.after_end, as_at_moment(as_of))
    return (
        _referrals(service)
        .filter(started_at__lt=end_of_day)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end_of_day))
        .select_related("participant")
        .order_by("started_at", "id")
    )


def _caseload(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    active = _active_at_end(service, period, as_of).count()
    return Figure(active, numerator=active, denominator=service.capacity)


def _waiting(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    started = _referrals(service).filter(
        _in(period, as_of, "started_at"), accepted_at__isnull=False
    )
    result = started.aggregate(
        n=Count("id"),
        wait=Avg(
            ExpressionWrapper(F("started_at") - F("accepted_at"), output_field=DurationField())
        ),
    )
    wait = result["wait"]
    days = None if wait is None else round(wait.total_seconds() / 86400, 1)
    return Figure(days, denominator=result["n"])


def _attrition(service: Scope, period: Period, as_of: datetime.date) -> Figure:
    ended = _referrals(service).filter(_in(period, as_of, "ended_at"), started_at__isnull=False)
    by_group = dict(ended.order_by().values_list("end_reason__group").annotate(n=Count("id")))
    total = sum(by_group.values())
    groups = list(EndReason.objects.order_by("group").values_list("group", flat=True).distinct())
    disengaged = by_group.get(ATTRITION_GROUP, 0)
    # People who left the waiting list before support started: not attrition, shown apart.
    left_waiting = (
        _referrals(service)
        .filter(_in(period, as_of, "ended_at"), started_at__isnull=True, accepted_at__isnull=False)
        .count()
    )
    return Figure(
        disengaged,
        numerator=disengaged,
        denominator=total,
        breakdown=[
            *((group, by_group.get(group, 0)) for group in groups),
            (WAITING_LIST_LEFT, left_waiting),
        ],
        note=f"{left_waiting} left the waiting list before support started (not counted)."
        if left_waiting
        else "",
    )


ATTRITION_GROUP = "Disengaged"
WAITING_LIST_LEFT = "Left the waiting list before support started (not counted)"


def _attrition_records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Referral]:
    return (
        _referrals(service)
        .filter(_in(period, as_of, "ended_at"), started_at__isnull=False)
        .select_related("participant", "end_reason")
        .order_by("ended_at", "id")
    )


# ---------------------------------------------------------------- sustainment


def _outcomes(as_of: datetime.date) -> dict[str, Q]:
    """What was known of a check by ``as_of``: each outcome's condition (one holds for
    every check): in work, not in work, or not known (due, not recorded by then)."""
    known = Q(checked_on__isnull=False, checked_on__lte=as_of)
    return {
        IN_WORK: known & Q(in_work=True),
        NOT_IN_WORK: known & ~Q(in_work=True),
        NOT_KNOWN: ~known,
    }


def _checks_due(
    weeks: int, service: Scope, period: Period, as_of: datetime.date
) -> QuerySet[SustainmentCheck]:
    """Every check of ``weeks`` due in the period and by ``as_of`` (a check not yet due is
    no figure yet), recorded or not."""
    return SustainmentCheck.objects.filter(
        of_scope(service, "service"), weeks=weeks, due_on__lte=as_of
    ).filter(period.q("due_on"))


def _checks(weeks: int) -> Callable[..., QuerySet[SustainmentCheck]]:
    """The checks due (``_checks_due``), annotated with their ``outcome`` as known by
    ``as_of`` ("in_work", "not_in_work" or "not_known")."""

    def records(service: Scope, period: Period, as_of: datetime.date) -> QuerySet[Any]:
        return (
            _checks_due(weeks, service, period, as_of)
            .annotate(
                outcome=Case(
                    *(When(known, then=Value(key)) for key, known in _outcomes(as_of).items())
                )
            )
            .select_related("placement__participant", "placement__opportunity")
            .order_by("due_on", "id")
        )

    return records


IN_WORK, NOT_IN_WORK, NOT_KNOWN = "in_work", "not_in_work", "not_known"
OUTCOME_LABELS = {
    IN_WORK: "In work",
    NOT_IN_WORK: "Not in work",
    NOT_KNOWN: "Not known (due, not recorded)",
}


def _sustained(weeks: int) -> Callable[[Scope, Period, datetime.date], Figure]:
    def compute(service: Scope, period: Period, as_of: datetime.date) -> Figure:
        # Each outcome's condition counted directly (not the drill-down's annotation, which
        # Django would write out again in every count). Named apart from the fields.
        counted = _checks_due(weeks, service, period, as_of).aggregate(
            due=Count("id"),
            **{f"n_{key}": Count("id", filter=known) for key, known in _outcomes(as_of).items()},
        )
        counts = {"due": counted["due"], **{key: counted[f"n_{key}"] for key in OUTCOME_LABELS}}
        note = ""
        if counts[NOT_KNOWN]:
            note = (
                f"{counts[NOT_KNOWN]} of {counts['due']} checks due were not recorded: not "
                "known, and not counted as sustained."
            )
        return Figure(
            counts[IN_WORK],
            numerator=counts[IN_WORK],
            denominator=counts["due"],
            breakdown=[(label, counts[key]) for key, label in OUTCOME_LABELS.items()],
            note=note,
        )

    return compute


CHECK_COLUMNS = (
    Column("Person", "placement.participant.full_name"),
    Column("Job", "placement.opportunity.title"),
    Column("Due", "due_on"),
    Column("Checked", "checked_on"),
    Column("Found", "outcome", labels=tuple(OUTCOME_LABELS.items())),
)


def _counter(records: Callable[..., QuerySet[Any]], people: bool = False) -> Callable[..., Figure]:
    def compute(service: Scope, period: Period, as_of: datetime.date) -> Figure:
        qs = records(service, period, as_of)
        return _people(qs) if people else _count(qs)

    return compute


def _by_kind(
    records: Callable[..., QuerySet[Any]],
    kinds: tuple[str, ...],
    *,
    people: bool,
) -> Callable[..., Figure]:
    """A count of opportunities (or of people, each once) with its split by kind (training
    placement, work placement, job) beside it, in one aggregate query. A person with
    placements of two kinds is in both lines of the split and once in the total."""

    def compute(service: Scope, period: Period, as_of: datetime.date) -> Figure:
        kind_field = "opportunity__kind" if people else "kind"
        counted = "participant" if people else "id"
        counts = records(service, period, as_of).aggregate(
            total=Count(counted, distinct=True),
            **{
                kind: Count(counted, distinct=True, filter=Q(**{kind_field: kind}))
                for kind in kinds
            },
        )
        return Figure(
            counts["total"],
            breakdown=[(OpportunityKind(kind).label, counts[kind]) for kind in kinds],
        )

    return compute


ALL_KINDS = (OpportunityKind.TRAINING, OpportunityKind.WORK, OpportunityKind.JOB)


MEASURES: tuple[Measure, ...] = (
    Measure(
        key="training_placements_created",
        number=1,
        name="Training placements created",
        definition="Opportunities of the kind 'training placement' recorded with employers or "
        "training providers of the service in the period.",
        compute=_counter(_training),
        records=_training,
        columns=OPPORTUNITY_COLUMNS,
    ),
    Measure(
        key="employment_placements_created",
        number=2,
        name="Employment placements created",
        definition="Opportunities of the kinds 'work placement' and 'job vacancy' recorded "
        "with employers of the service in the period.",
        compute=_by_kind(_employment, (OpportunityKind.WORK, OpportunityKind.JOB), people=False),
        records=_employment,
        columns=OPPORTUNITY_COLUMNS,
    ),
    Measure(
        key="participants_put_forward",
        number=3,
        name="Participants referred or selected for placements",
        definition="People put forward for a training or work placement or a job in the "
        "period, each counted once however many times they were put forward.",
        compute=_by_kind(_put_forward, ALL_KINDS, people=True),
        records=_put_forward,
        columns=PLACEMENT_COLUMNS,
    ),
    Measure(
        key="goals_achieved",
        number=4,
        name="Clients achieving realistic goals within their ETE pathway plans",
        definition="People who achieved at least one goal of their pathway plan in the period "
        "(a goal recorded as achieved, dated in the period), each counted once; the goals "
        "achieved and the goals set in the period are shown beside it.",
        compute=_goals_figure,
        records=_goals_achieved,
        columns=(
            Column("Person", "plan.referral.participant.full_name"),
            Column("CRN", "plan.referral.participant.crn"),
            Column("Goal", "get_area_display"),
            Column("Achieved", "achieved_on"),
        ),
    ),
    Measure(
        key="placement_starts",
        number=5,
        name="Participants starting placements",
        definition="People who started a training or work placement or a job in the period, "
        "each counted once.",
        compute=_by_kind(_started, ALL_KINDS, people=True),
        records=_started,
        columns=PLACEMENT_COLUMNS,
    ),
    Measure(
        key="placement_completions",
        number=6,
        name="Participants completing placements",
        definition="People who completed a training or work placement in the period, each "
        "counted once; a job is never a completed placement (jobs are judged by "
        "sustainment).",
        compute=_by_kind(_completed, (OpportunityKind.TRAINING, OpportunityKind.WORK), people=True),
        records=_completed,
        columns=PLACEMENT_COLUMNS,
    ),
    Measure(
        key="orders_completed",
        target_unit=TargetUnit.RATE,
        number=7,
        name="Participants successfully completing their community order",
        definition="People whose community order ended in the period as completed "
        "successfully, among people who had started support with the service by then; out "
        "of all such people whose community order ended in the period. Suspended sentence "
        "orders and youth rehabilitation orders are shown by type beside it; which order "
        "types the headline counts is a setting of the service (community orders unless "
        "set). Orders entered by hand and from probation extracts both count.",
        compute=_orders,
        records=_orders_records,
        columns=(
            *PERSON,
            Column("Order", "get_order_type_display"),
            Column("Ended", "actual_end_date"),
            Column("How", "get_termination_display"),
            Column("Source", "get_source_display"),
        ),
    ),
    Measure(
        key="not_reoffending",
        target_unit=TargetUnit.RATE,
        number=8,
        name="Participants not proven to reoffend within a year of support or release",
        definition="Of the people who started support in the period (each once, from their "
        "first start in it) and whose 18 months have passed, those with no proven offence "
        "(conviction or caution) committed on or after their index date and before the same "
        "date a year later, and proven before the date 18 months after the index date "
        "(calendar months; a day the later month lacks becomes its last day, so 29 February "
        "rolls to 28 February). The index date is the start of support, or the release date "
        "where the person was serving a custodial sentence when support started (ROTL), "
        "whichever is later. This is the service's own follow-up from the start of support "
        "or release, not the Ministry of Justice's proven reoffending measure. People whose "
        "18 months have not passed, and people still in custody at the end of the period, "
        "are shown apart.",
        compute=_not_reoffending,
        records=_reoffending_records,
        columns=(
            *PERSON,
            Column("Started", "started_at"),
            Column("Index date", "index_day"),
            Column("In custody at the end of the period", "in_custody_at_end"),
            Column("18 months passed", "window_closed"),
            Column("Reoffended", "reoffended"),
        ),
    ),
    Measure(
        key="distance_travelled",
        target_unit=TargetUnit.RATE,
        name="Progress towards pathway-plan goals (distance travelled)",
        definition="Episodes of support whose total distance-travelled score rose from their "
        "first reading to their latest, among those with at least two readings by the end of "
        "the period and the latest in it, whatever tool the episode used; the average change "
        "is a share of each tool's scale, so episodes on different tools count together.",
        compute=_distance,
        records=_distance_records,
        columns=(*PERSON, Column("Started", "started_at")),
    ),
    Measure(
        key="referrals_received",
        name="Referrals received",
        definition="Referrals received in the period.",
        compute=_counter(_by_date("received_at")),
        records=_by_date("received_at"),
        columns=REFERRAL_COLUMNS,
    ),
    Measure(
        key="referrals_accepted",
        name="Referrals accepted",
        definition="Referrals accepted at triage in the period (given a place or put on the "
        "waiting list).",
        compute=_counter(_by_date("accepted_at")),
        records=_by_date("accepted_at"),
        columns=REFERRAL_COLUMNS,
    ),
    Measure(
        key="starts",
        name="Starts on the service",
        definition="Episodes of support that started (took a place) in the period.",
        compute=_counter(_by_date("started_at")),
        records=_by_date("started_at"),
        columns=REFERRAL_COLUMNS,
    ),
    Measure(
        key="caseload",
        name="Caseload and capacity use",
        definition="People receiving support at the end of the last day of the period, out of "
        "the service's capacity.",
        compute=_caseload,
        records=_active_at_end,
        columns=REFERRAL_COLUMNS,
        builds_up=False,
    ),
    Measure(
        key="waiting_time",
        name="Average wait for a place",
        definition="The mean number of days from acceptance to the start of support, for "
        "starts in the period.",
        compute=_waiting,
        records=_by_date("started_at"),
        columns=(*PERSON, Column("Accepted", "accepted_at"), Column("Started", "started_at")),
        unit="days",
        higher_is_better=False,
        builds_up=False,
    ),
    Measure(
        key="attrition",
        target_unit=TargetUnit.RATE,
        name="Attrition",
        definition="Episodes of support that ended in the period with a reason in the "
        "'Disengaged' group, out of all that ended in the period; every group is shown. "
        "People who left the waiting list before support started are not attrition: they "
        "are shown apart.",
        compute=_attrition,
        records=_attrition_records,
        columns=(*PERSON, Column("Ended", "ended_at"), Column("Reason", "end_reason.label")),
        higher_is_better=False,
    ),
    Measure(
        key="job_starts",
        name="Job starts",
        definition="People who started a job (an opportunity of the kind 'job vacancy') in "
        "the period, each counted once.",
        compute=_counter(job_starts, people=True),
        records=job_starts,
        columns=PLACEMENT_COLUMNS,
    ),
    *(
        Measure(
            key=f"sustained_{weeks}_weeks",
            target_unit=TargetUnit.RATE,
            name=f"Jobs sustained at {weeks} weeks",
            definition=f"Job starts whose {weeks}-week sustainment check fell due in the "
            "period and found the person in work, out of every such check that had fallen "
            "due (by the day the figures are computed). A check due but not recorded is "
            "'not known': shown apart, counted in the checks due, never as sustained.",
            compute=_sustained(weeks),
            records=_checks(weeks),
            columns=CHECK_COLUMNS,
        )
        for weeks in SUSTAINMENT_WEEKS
    ),
)

BY_KEY: dict[str, Measure] = {measure.key: measure for measure in MEASURES}


def measure(key: str) -> Measure | None:
    return BY_KEY.get(key)
