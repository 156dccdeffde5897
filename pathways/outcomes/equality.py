"""Equality monitoring counts: how far the referrals of each group got through the service.

Definitions in docs/measures.md, "Equality monitoring". ``raw_counts(service, start, end)``
counts in the database, one aggregate query per characteristic, keyed by characteristic,
category and stage: the manager's working figures. ``shown_counts`` applies disclosure
control (``outcomes.disclosure``) to them, for what leaves the manager's view;
``published_counts`` gives those controlled counts with the threshold used, which is what a
period snapshot keeps (``outcomes.figures``), so that no small count of people's equality
answers outlives their records. ``reports.equality`` labels them and works out the rates.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from pathways.accounts.models import Service
from pathways.core.periods import Period
from pathways.outcomes import disclosure
from pathways.outcomes.measures import job_starts
from pathways.participants.models import (
    PREFER_NOT,
    PREFER_NOT_LABEL,
    EthnicGroup,
    Religion,
    Sex,
    SexualOrientation,
    YesNo,
)
from pathways.placements.models import Placement
from pathways.referrals.models import Referral

NOT_RECORDED = ""
NOT_RECORDED_LABEL = "Not recorded"

# (key, label)
STAGES: tuple[tuple[str, str], ...] = (
    ("referred", "Referred"),
    ("accepted", "Accepted"),
    ("started", "Started support"),
    ("placement_started", "Started a placement"),
    ("placement_completed", "Completed a placement"),
    ("into_work", "Into work"),
)
INTO_WORK = "into_work"
# The stage each stage follows, whose count it cannot exceed (a referral is accepted
# before support starts, and support starts before a placement). "Into work" is the job
# starts of the period (the measure's people, not the period's referrals): it follows none.
STAGE_PARENTS: dict[str, str | None] = {
    "referred": None,
    "accepted": "referred",
    "started": "accepted",
    "placement_started": "started",
    "placement_completed": "placement_started",
    "into_work": None,
}

# Age bands on the date the referral was received. The service takes people aged 16 and
# over, so the first band also holds anyone recorded younger by mistake.
AGE_BANDS: tuple[tuple[str, str, int | None], ...] = (
    ("16-17", "16 to 17", 18),
    ("18-24", "18 to 24", 25),
    ("25-34", "25 to 34", 35),
    ("35-44", "35 to 44", 45),
    ("45-54", "45 to 54", 55),
    ("55+", "55 and over", None),
)


@dataclass(frozen=True)
class Characteristic:
    key: str
    label: str
    categories: tuple[tuple[str, str], ...]


def _answers(choices: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The categories of a question: its answers (prefer not to say last), then not
    recorded (not asked, not answered, or no equality record at all)."""
    answers = [(k, v) for k, v in choices if k != PREFER_NOT]
    return (*answers, (PREFER_NOT, PREFER_NOT_LABEL), (NOT_RECORDED, NOT_RECORDED_LABEL))


CHARACTERISTICS: tuple[Characteristic, ...] = (
    Characteristic("age_band", "Age at referral", tuple((k, v) for k, v, _ in AGE_BANDS)),
    Characteristic("sex", "Sex", _answers(Sex.choices)),
    Characteristic(
        "gender_same_as_birth",
        "Gender identity the same as sex registered at birth",
        _answers(YesNo.choices),
    ),
    Characteristic("ethnic_group", "Ethnic group", _answers(EthnicGroup.choices)),
    Characteristic("religion", "Religion or belief", _answers(Religion.choices)),
    Characteristic("sexual_orientation", "Sexual orientation", _answers(SexualOrientation.choices)),
    Characteristic("disability", "Disability", _answers(YesNo.choices)),
)


def _text(field: str) -> Coalesce:
    return Coalesce(F(f"participant__equality__{field}"), Value(NOT_RECORDED))


def _ethnic_group() -> Case:
    field = "participant__equality__ethnicity"
    return Case(
        *[
            When(**{f"{field}__startswith": f"{group}-"}, then=Value(group))
            for group in EthnicGroup
        ],
        When(**{field: PREFER_NOT}, then=Value(PREFER_NOT)),
        default=Value(NOT_RECORDED),
        output_field=CharField(),
    )


def _with_age(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotate each referral with the person's age in whole years on its received date
    (local date), and the age band."""
    dob = "participant__date_of_birth"
    birthday_to_come = Q(_rm__lt=F("_bm")) | Q(_rm=F("_bm"), _rd__lt=F("_bd"))
    qs = referrals.annotate(
        _ry=ExtractYear("received_at"),
        _rm=ExtractMonth("received_at"),
        _rd=ExtractDay("received_at"),
        _by=ExtractYear(dob),
        _bm=ExtractMonth(dob),
        _bd=ExtractDay(dob),
    ).annotate(
        _age=F("_ry")
        - F("_by")
        - Case(When(birthday_to_come, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    bands = [When(_age__lt=upper, then=Value(key)) for key, _, upper in AGE_BANDS if upper]
    return qs.annotate(
        category=Case(*bands, default=Value(AGE_BANDS[-1][0]), output_field=CharField())
    )


def _cohort_q(start: datetime.date, end: datetime.date) -> Q:
    return Q(received_at__date__gte=start, received_at__date__lte=end)


def _job_referrals(service: Service, start: datetime.date, end: datetime.date) -> Q:
    """The referrals through which people started a job in the period, one per person
    (their first job start in it): the job-start measure's people
    (``outcomes.measures.job_starts``), so "Into work" is the same count."""
    jobs = job_starts(service, Period(start, end), end)
    first = jobs.filter(participant=OuterRef("participant")).order_by("started_on", "id")
    return Q(pk__in=jobs.filter(pk=Subquery(first.values("pk")[:1])).values("referral_id"))


def _stage_counts(service: Service, start: datetime.date, end: datetime.date) -> dict[str, Count]:
    """Each stage as a count over the period's referrals: reached on or before ``end``;
    "Into work" over the people who started a job in the period."""
    placements = Placement.objects.filter(referral=OuterRef("pk"))
    started = placements.filter(started_on__lte=end)
    cohort = _cohort_q(start, end)
    return {
        "referred": Count("pk", filter=cohort),
        "accepted": Count("pk", filter=cohort & Q(accepted_at__date__lte=end)),
        "started": Count("pk", filter=cohort & Q(started_at__date__lte=end)),
        "placement_started": Count("pk", filter=cohort & Q(Exists(started))),
        "placement_completed": Count(
            "pk", filter=cohort & Q(Exists(placements.filter(completed_on__lte=end)))
        ),
        "into_work": Count("pk", filter=_job_referrals(service, start, end)),
    }


def referrals_in_period(
    service: Service, start: datetime.date, end: datetime.date
) -> QuerySet[Referral]:
    """The cohort: the service's referrals received from ``start`` to ``end`` (local
    dates, inclusive)."""
    return Referral.objects.filter(_cohort_q(start, end), service=service)


def raw_counts(
    service: Service, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, dict[str, int]]]:
    """{characteristic: {category: {stage: count}}}, every category present (zero when
    nobody is in it). One aggregate query per characteristic."""
    # The period's referrals, and those through which someone started a job in it.
    cohort = Referral.objects.filter(
        _cohort_q(start, end) | _job_referrals(service, start, end), service=service
    )
    stages = _stage_counts(service, start, end)
    result: dict[str, dict[str, dict[str, int]]] = {}
    for characteristic in CHARACTERISTICS:
        if characteristic.key == "age_band":
            qs: QuerySet[Any] = _with_age(cohort)
        elif characteristic.key == "ethnic_group":
            qs = cohort.annotate(category=_ethnic_group())
        else:
            qs = cohort.annotate(category=_text(characteristic.key))
        grouped: Any = qs.order_by().values("category").annotate(**stages)
        found = {row.pop("category"): row for row in grouped}
        zero = dict.fromkeys(stages, 0)
        result[characteristic.key] = {
            key: {stage: found.get(key, zero)[stage] for stage in stages}
            for key, _ in characteristic.categories
        }
    return result


# One characteristic's counts as they may be shown: {"rows": {category: {stage: count}},
# "total": {stage: count}}, a count None where disclosure control withheld it.
Shown = dict[str, dict[str, Any]]


def shown(
    characteristic: Characteristic,
    counts: dict[str, dict[str, int]],
    *,
    controlled: bool,
    limit: int,
) -> Shown:
    """One characteristic's counts and the total of all referrals at each stage, with
    primary and secondary suppression applied when ``controlled`` (rules in
    ``outcomes.disclosure``)."""
    keys = [key for key, _ in STAGES]
    categories = [category for category, _ in characteristic.categories]
    matrix = [[counts[category][stage] for stage in keys] for category in categories]
    totals = [sum(matrix[r][c] for r in range(len(matrix))) for c in range(len(keys))]
    hidden: frozenset[tuple[int, int]] = frozenset()
    withheld: frozenset[int] = frozenset()
    if controlled:
        # Stages are not additive along a row, so only the column totals are published.
        parents = [STAGE_PARENTS[stage] for stage in keys]
        outcome = disclosure.control(
            matrix,
            limit=limit,
            row_totals=False,
            col_totals=True,
            parents=[None if p is None else keys.index(p) for p in parents],
        )
        hidden, withheld = outcome.suppressed, outcome.withheld_cols
    return {
        "rows": {
            category: {
                stage: None if (r, c) in hidden else matrix[r][c] for c, stage in enumerate(keys)
            }
            for r, category in enumerate(categories)
        },
        "total": {stage: None if c in withheld else totals[c] for c, stage in enumerate(keys)},
    }


def shown_counts(
    counts: dict[str, dict[str, dict[str, int]]], *, controlled: bool, limit: int
) -> dict[str, Shown]:
    """``shown`` for every characteristic of ``raw_counts``: {characteristic: Shown}."""
    return {
        c.key: shown(c, counts[c.key], controlled=controlled, limit=limit) for c in CHARACTERISTICS
    }


def published_counts(service: Service, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The disclosure-controlled counts of the period, as they may leave the manager's view,
    with the threshold they were controlled with: {"threshold": n, "tables": {...}}."""
    limit = disclosure.threshold()
    counts = raw_counts(service, start, end)
    return {"threshold": limit, "tables": shown_counts(counts, controlled=True, limit=limit)}
