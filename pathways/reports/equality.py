"""Equality monitoring: how far people of each group get through the service.

Definitions in docs/measures.md, "Equality monitoring". ``equality_report(service, start,
end)`` counts in the database, one aggregate query per characteristic; by default it
applies disclosure control (``reports.disclosure``), so that what it returns may leave the
manager's view. ``controlled=False`` gives the manager's working figures, not for
publication.
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
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from pathways.accounts.models import Service
from pathways.employers.models import OpportunityKind
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
from pathways.reports import disclosure

NOT_RECORDED = ""
NOT_RECORDED_LABEL = "Not recorded"
SUSTAINED_WORK = "sustained-work"

# (key, label, the definition shown beside the figures)
STAGES: tuple[tuple[str, str], ...] = (
    ("referred", "Referred"),
    ("accepted", "Accepted"),
    ("started", "Started support"),
    ("placement_started", "Started a placement"),
    ("placement_completed", "Completed a placement"),
    ("into_work", "Into work"),
)

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


@dataclass(frozen=True)
class Figure:
    """One cell: a count and its rate (share of the row's referrals), either of which may
    be withheld (None) by disclosure control."""

    count: int | None
    rate: float | None
    suppressed: bool = False

    @property
    def percent(self) -> str:
        return "" if self.rate is None else f"{self.rate * 100:.0f}%"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    rows: tuple[Row, ...]
    total: Row


@dataclass(frozen=True)
class EqualityReport:
    service_name: str
    start: datetime.date
    end: datetime.date
    stages: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]
    controlled: bool
    threshold: int
    min_rate_denominator: int = disclosure.MIN_RATE_DENOMINATOR

    @property
    def referred(self) -> int | None:
        """Referrals received in the period (the total of every table)."""
        return self.tables[0].total.figures[0].count if self.tables else 0


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


def _stage_counts(end: datetime.date) -> dict[str, Count]:
    """Each stage as a count over the period's referrals: reached on or before ``end``."""
    placements = Placement.objects.filter(referral=OuterRef("pk"))
    started = placements.filter(started_on__lte=end)
    job = started.filter(opportunity__kind=OpportunityKind.JOB)
    into_work = Q(Exists(job)) | Q(
        ended_at__date__lte=end, end_reason__code=SUSTAINED_WORK, started_at__isnull=False
    )
    return {
        "referred": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_at__date__lte=end)),
        "started": Count("pk", filter=Q(started_at__date__lte=end)),
        "placement_started": Count("pk", filter=Q(Exists(started))),
        "placement_completed": Count(
            "pk", filter=Q(Exists(placements.filter(completed_on__lte=end)))
        ),
        "into_work": Count("pk", filter=into_work),
    }


def referrals_in_period(
    service: Service, start: datetime.date, end: datetime.date
) -> QuerySet[Referral]:
    """The cohort: the service's referrals received from ``start`` to ``end`` (local
    dates, inclusive)."""
    return Referral.objects.filter(
        service=service, received_at__date__gte=start, received_at__date__lte=end
    )


def raw_counts(
    service: Service, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, dict[str, int]]]:
    """{characteristic: {category: {stage: count}}}, every category present (zero when
    nobody is in it). One aggregate query per characteristic."""
    cohort = referrals_in_period(service, start, end)
    stages = _stage_counts(end)
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


def _table(
    characteristic: Characteristic, counts: dict[str, dict[str, int]], controlled: bool, limit: int
) -> Table:
    keys = [key for key, _ in STAGES]
    matrix = [
        [counts[category][stage] for stage in keys] for category, _ in characteristic.categories
    ]
    totals = [sum(matrix[r][c] for r in range(len(matrix))) for c in range(len(keys))]
    hidden: frozenset[tuple[int, int]] = frozenset()
    withheld: frozenset[int] = frozenset()
    if controlled:
        # Stages are not additive along a row, so only the column totals are published.
        outcome = disclosure.control(matrix, limit=limit, row_totals=False, col_totals=True)
        hidden, withheld = outcome.suppressed, outcome.withheld_cols

    def figures(values: list[int | None]) -> tuple[Figure, ...]:
        referred = values[0]
        return tuple(
            Figure(
                count=value,
                rate=None
                if i == 0
                else (
                    disclosure.rate(value, referred)
                    if controlled
                    else (value / referred if referred and value is not None else None)
                ),
                suppressed=value is None,
            )
            for i, value in enumerate(values)
        )

    rows = tuple(
        Row(
            key=category,
            label=label,
            figures=figures([None if (r, c) in hidden else matrix[r][c] for c in range(len(keys))]),
        )
        for r, (category, label) in enumerate(characteristic.categories)
    )
    total = Row(
        key="all",
        label="All referrals",
        figures=figures([None if c in withheld else totals[c] for c in range(len(keys))]),
    )
    return Table(characteristic.key, characteristic.label, rows, total)


def equality_report(
    service: Service, start: datetime.date, end: datetime.date, *, controlled: bool = True
) -> EqualityReport:
    """The equality monitoring tables of the service for the period, disclosure-controlled
    unless ``controlled`` is False (the manager's working view only)."""
    limit = disclosure.threshold()
    counts = raw_counts(service, start, end)
    return EqualityReport(
        service_name=service.name,
        start=start,
        end=end,
        stages=STAGES,
        tables=tuple(_table(c, counts[c.key], controlled, limit) for c in CHARACTERISTICS),
        controlled=controlled,
        threshold=limit,
    )
