"""Reads of measures: status against a target, every measure with its targets, trends,
a person's orders and offences (scoped), referrals by source and group."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathways.accounts.models import Service, User
from pathways.core.periods import Period, half_year, previous
from pathways.outcomes import selectors, services
from pathways.outcomes.measures import BY_KEY, MEASURES
from pathways.outcomes.models import OffenceGroup, ProvenBy, TargetKind
from pathways.outcomes.selectors import Status, rag
from pathways.referrals.models import Cohort, OrderType, Referral, Source
from pathways.referrals.tests.factories import TODAY, make_referral

pytestmark = pytest.mark.django_db

D = datetime.date
GREEN, AMBER, RED = Status.GREEN, Status.AMBER, Status.RED
ORDER = {RED: 0, AMBER: 1, GREEN: 2}
HALF = half_year(TODAY)  # May to October 2026: the ``case`` fixture started on 1 September


# rag


@pytest.mark.parametrize(
    ("value", "target", "higher", "tolerance", "status"),
    [
        (10, "10", True, 10, GREEN),  # met exactly
        (12, "10", True, 10, GREEN),
        (9, "10", True, 10, AMBER),  # exactly the tolerance below
        (8.99, "10", True, 10, RED),
        (9.99, "10", True, 0, RED),  # no tolerance
        (0, "0", True, 10, GREEN),
        (None, "10", True, 10, RED),  # no figure
        (10, "10", False, 10, GREEN),  # not exceeded
        (3, "10", False, 10, GREEN),
        (11, "10", False, 10, AMBER),  # exactly the tolerance above
        (11.01, "10", False, 10, RED),
        (0.1, "0", False, 10, RED),  # a target of nothing has no margin
        (None, "5", False, 10, RED),
        (50, "100", True, 50, AMBER),
        (49, "100", True, 50, RED),
        (1000, "100", False, 100, RED),
        (200, "100", False, 100, AMBER),
        (2.5, "2.5", True, 10, GREEN),
    ],
)
def test_rag_at_the_edges(
    value: float | None, target: str, higher: bool, tolerance: int, status: str
) -> None:
    assert rag(value, Decimal(target), higher_is_better=higher, tolerance=tolerance) == status


values = st.integers(min_value=0, max_value=10_000)
targets = st.integers(min_value=0, max_value=10_000).map(Decimal)
tolerances = st.integers(min_value=0, max_value=100)


@given(values, values, targets, tolerances, st.booleans())
def test_rag_never_gets_worse_as_the_figure_improves(
    a: int, b: int, target: Decimal, tolerance: int, higher: bool
) -> None:
    worse, better = (min(a, b), max(a, b)) if higher else (max(a, b), min(a, b))
    assert (
        ORDER[rag(worse, target, higher_is_better=higher, tolerance=tolerance)]
        <= ORDER[rag(better, target, higher_is_better=higher, tolerance=tolerance)]
    )


@given(values, targets, tolerances)
def test_rag_lower_is_better_mirrors_higher_is_better(
    value: int, target: Decimal, tolerance: int
) -> None:
    assert rag(value, target, higher_is_better=False, tolerance=tolerance) == rag(
        -value, -target, higher_is_better=True, tolerance=tolerance
    )


@given(values, targets, tolerances, st.booleans())
def test_rag_is_green_exactly_when_the_target_is_met(
    value: int, target: Decimal, tolerance: int, higher: bool
) -> None:
    met = value >= target if higher else value <= target
    assert (rag(value, target, higher_is_better=higher, tolerance=tolerance) == GREEN) is met


@given(targets.filter(lambda t: t > 0), tolerances)
def test_rag_widening_the_tolerance_never_turns_amber_red(target: Decimal, tolerance: int) -> None:
    value = float(target) * (1 - tolerance / 100)
    assert rag(value, target, higher_is_better=True, tolerance=100) in (GREEN, AMBER)


# measures_for_period


def _target(actor: User, service: Service, key: str, kind: str, value: str) -> None:
    services.target_set(
        actor=actor,
        service=service,
        measure_key=key,
        period=HALF,
        kind=kind,
        value=Decimal(value),
    )


def test_every_measure_for_a_period_with_its_targets_and_status(
    case: Referral, manager: User, service: Service
) -> None:
    _target(manager, service, "starts", TargetKind.LONG_TERM, "5")
    _target(manager, service, "starts", TargetKind.INTERMEDIATE, "1")
    _target(manager, service, "referrals_received", TargetKind.INTERMEDIATE, "1.1")
    _target(manager, service, "attrition", TargetKind.LONG_TERM, "0")
    # As at the period's last day: judged against the whole-period targets (an open
    # period is judged pro rata: test_open_periods).
    results = selectors.measures_for_period(service, HALF, as_of=HALF.end)
    assert [result.measure.key for result in results] == [item.key for item in MEASURES]
    by_key = {result.measure.key: result for result in results}
    starts = by_key["starts"]
    assert starts.figure.value == 1
    # Intermediate first: its status is the measure's.
    assert [(t.kind, t.value, t.status) for t in starts.targets] == [
        (TargetKind.INTERMEDIATE, Decimal("1.0"), GREEN),
        (TargetKind.LONG_TERM, Decimal("5.0"), RED),
    ]
    assert starts.status == GREEN
    assert starts.targets[0].kind_label == "Intermediate"
    assert by_key["referrals_received"].status == AMBER  # 1 is within 10% of 1.1
    # A rate target, and nobody's support ended: no rate to judge (test_units).
    assert by_key["attrition"].status == selectors.Status.NO_RATE
    assert by_key["caseload"].status == ""
    assert by_key["caseload"].targets == []
    assert (by_key["caseload"].figure.numerator, by_key["caseload"].figure.denominator) == (1, 30)
    # The targets belong to this period only.
    other = selectors.measures_for_period(service, half_year(D(2026, 11, 1)), as_of=TODAY)
    assert all(result.targets == [] for result in other)


def test_the_service_s_tolerance_sets_amber(
    case: Referral, manager: User, service: Service
) -> None:
    assert selectors.tolerance_of(service) == selectors.DEFAULT_TOLERANCE == 10
    _target(manager, service, "referrals_received", TargetKind.INTERMEDIATE, "1.5")
    first = {r.measure.key: r for r in selectors.measures_for_period(service, HALF, as_of=HALF.end)}
    assert first["referrals_received"].status == RED  # 1 is 33% short
    services.tolerance_set(actor=manager, service=service, percent=40)
    assert selectors.tolerance_of(service) == 40
    second = {
        r.measure.key: r for r in selectors.measures_for_period(service, HALF, as_of=HALF.end)
    }
    assert second["referrals_received"].status == AMBER


def test_measures_for_period_reads_today_from_the_clock(case: Referral, service: Service) -> None:
    """Without ``as_of``, figures are as of today (the frozen clock)."""
    results = selectors.measures_for_period(service, HALF)
    reoffending = {r.measure.key: r for r in results}["not_reoffending"].figure
    assert dict(reoffending.breakdown)["No proven offence so far (18 months not passed)"] == 1


def test_measures_for_period_takes_a_fixed_number_of_queries(
    case: Referral,
    service: Service,
    referrer: User,
    manager: User,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.measures_for_period(service, HALF)
        return len(queries)

    few = count()
    for _ in range(10):
        make_referral(referrer)
    assert count() == few


# trend


def test_trend_gives_the_value_for_each_period(
    case: Referral, service: Service, referrer: User
) -> None:
    periods = previous(HALF, "half", 3)
    assert [
        (p.start, value) for p, value in selectors.trend(service, BY_KEY["starts"], periods)
    ] == [
        (D(2025, 5, 1), 0),
        (D(2025, 11, 1), 0),
        (D(2026, 5, 1), 1),
    ]
    waits = selectors.trend(service, BY_KEY["waiting_time"], periods, as_of=TODAY)
    assert [value for _, value in waits] == [None, None, 0.0]


# outcomes_of


@pytest.fixture
def recorded(case: Referral, manager: User) -> Referral:
    person = case.participant
    services.order_record(
        actor=manager,
        participant=person,
        order_type=OrderType.COMMUNITY_ORDER,
        start_date=D(2026, 1, 5),
    )
    services.offence_record(
        actor=manager,
        participant=person,
        committed_on=D(2026, 9, 10),
        proven_on=D(2026, 9, 20),
        proven_by=ProvenBy.CONVICTION,
        category=OffenceGroup.THEFT,
    )
    return case


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("manager", True),
        ("worker_north", True),
        ("referrer", False),  # criminal offence data: only the roles that record it
        ("other_referrer", False),
        ("worker_south", False),
        ("commissioner", False),
        ("admin", False),
        ("outsider", False),
    ],
)
def test_outcomes_of_a_person_only_in_scope(
    recorded: Referral, personas: dict[str, User], persona: str, sees: bool
) -> None:
    orders, offences = selectors.outcomes_of(personas[persona], recorded.participant)
    assert (len(orders), len(offences)) == ((1, 1) if sees else (0, 0))


# referrals_by


def test_referrals_by_source_and_group_in_the_period(
    case: Referral, service: Service, referrer: User
) -> None:
    yos = make_referral(referrer)
    Referral.objects.filter(pk=yos.pk).update(source=Source.YOS, cohort=Cohort.OTHER)
    earlier = make_referral(referrer)
    Referral.objects.filter(pk=earlier.pk).update(
        received_at=datetime.datetime(2026, 4, 30, 22, 59, tzinfo=datetime.UTC)  # 30 April BST
    )
    assert selectors.referrals_by(service, HALF, "source") == [
        ("Probation", 1),
        ("Youth Offending Service", 1),
        ("Prison (release on temporary licence)", 0),
    ]
    assert selectors.referrals_by(service, HALF, "cohort") == [
        ("Integrated Offender Management (IOM) cohort", 1),
        ("Serving prisoner on release on temporary licence (ROTL)", 0),
        ("Other hard-to-engage group", 1),
    ]
    before = half_year(D(2026, 4, 30))
    assert dict(selectors.referrals_by(service, before, "source"))["Probation"] == 1


def test_referrals_by_ignores_other_services(
    case: Referral, outsider: User, service: Service
) -> None:
    assert outsider.service is not None
    assert all(n == 0 for _, n in selectors.referrals_by(outsider.service, HALF, "source"))
    assert sum(n for _, n in selectors.referrals_by(service, HALF, "source")) == 1


def test_drilldown_lists_the_records_of_the_measure(case: Referral, service: Service) -> None:
    assert list(selectors.drilldown(service, BY_KEY["starts"], HALF)) == [case]
    assert list(selectors.drilldown(service, BY_KEY["starts"], Period(TODAY, TODAY))) == []
