"""Every measure on the hand-counted world of ``world.py``: value, numerator, denominator
and the exact records of its drill-down, for May to October 2024 and its neighbours."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from pathways.accounts.models import Service
from pathways.core.periods import Period
from pathways.employers.models import Opportunity
from pathways.outcomes.measures import BY_KEY, MEASURES, Figure, measure
from pathways.outcomes.models import Order, Source, Termination
from pathways.outcomes.tests.world import AFTER, AS_OF, BEFORE, HALF, World, at, local
from pathways.placements.models import Placement, SustainmentCheck
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

D = datetime.date

KEYS = [
    "training_placements_created",
    "employment_placements_created",
    "participants_put_forward",
    "goals_achieved",
    "placement_starts",
    "placement_completions",
    "orders_completed",
    "not_reoffending",
    "distance_travelled",
    "referrals_received",
    "referrals_accepted",
    "starts",
    "caseload",
    "waiting_time",
    "attrition",
    "job_starts",
    "sustained_4_weeks",
    "sustained_13_weeks",
    "sustained_26_weeks",
]

# Per measure: (value, numerator, denominator, the records of the drill-down in order).
# Records are named as in world.py: a person's first name for a referral (episode), the
# world's key for an opportunity, placement or order, (placement, weeks) for a check.
Expected = tuple[Any, Any, Any, list[Any]]

EXPECTED_HALF: dict[str, Expected] = {
    # t0 was created at 23:30 BST on 30 April; t1 at 00:30 BST on 1 May.
    "training_placements_created": (1, None, None, ["t1"]),
    # w1 at 23:30 GMT on 31 October is in; j1 at midnight is not; the other service's
    # training placement is never counted.
    "employment_placements_created": (2, None, None, ["j2", "w1"]),
    # p1 (Ada, 30 April BST) is before; p2 (Ada, 1 May BST) and p5 (31 October GMT) in.
    "participants_put_forward": (4, None, None, ["p2", "p4", "p7", "p5"]),
    # The world records no plan goals (test_goals covers measure 4).
    "goals_achieved": (0, None, None, []),
    # Ada up (3 to 5, latest on 1 May), Bea down (5 to 4, latest on 31 October); Jo's latest
    # reading by 31 October was on 30 April; Gus has one reading.
    "distance_travelled": (1, 1, 2, ["Ada", "Bea"]),
    # Ada started two placements (counted once), Bea and Ivy a job each.
    "placement_starts": (3, None, None, ["p1", "p4", "p7", "p2"]),
    # p1 completed on 31 October; p4 on 1 November; p7 ended early.
    "placement_completions": (1, None, None, ["p1"]),
    # Community orders (the headline): Ada (one completed, one breached: counted once, as
    # completed), Gus (imported). Not: Jo's youth rehabilitation order (shown by type),
    # Gus's licence, Dan (never started), Bea (started after her order ended), Eve (ended
    # 1 November), Hal (running).
    "orders_completed": (2, 2, 2, ["ada_done", "gus", "ada_breach"]),
    # Cohort: Bea, Eve, Gus, Hal, Ivy; reoffended: Bea, Hal, Ivy.
    "not_reoffending": (2, 2, 5, ["Bea", "Eve", "Gus", "Hal", "Ivy"]),
    # Kit at midnight BST on 1 May in, Cal at 23:30 GMT on 31 October in, Bea (23:30 BST
    # on 30 April) and Dan (midnight on 1 November) out.
    "referrals_received": (6, None, None, ["Kit", "Eve", "Gus", "Hal", "Ivy", "Cal"]),
    "referrals_accepted": (5, None, None, ["Bea", "Eve", "Gus", "Hal", "Ivy"]),
    "starts": (5, None, None, ["Bea", "Eve", "Gus", "Hal", "Ivy"]),
    # Fay ended at 23:30 GMT on 31 October (out), Gus at 00:30 on 1 November (in).
    "caseload": (6, 6, 30, ["Ada", "Jo", "Bea", "Gus", "Hal", "Ivy"]),
    # Hal waited 10 days, the others none: 10 / 5.
    "waiting_time": (2.0, None, 5, ["Bea", "Eve", "Gus", "Hal", "Ivy"]),
    # Eve disengaged; Fay into work (31 October GMT); Gus's end is in November.
    "attrition": (1, 1, 2, ["Eve", "Fay"]),
    "job_starts": (2, None, None, ["p4", "p7"]),
    # Jo's 4-week check fell due on 1 May; Ivy's was not in work (her job had ended).
    "sustained_4_weeks": (2, 2, 3, [("p3", 4), ("p4", 4), ("p7", 4)]),
    # Ivy's 13-week check was never recorded: not known, in the checks due.
    "sustained_13_weeks": (1, 1, 3, [("p3", 13), ("p4", 13), ("p7", 13)]),
    "sustained_26_weeks": (1, 1, 1, [("p3", 26)]),
}

EXPECTED_BEFORE: dict[str, Expected] = {
    "goals_achieved": (0, None, None, []),
    "training_placements_created": (1, None, None, ["t0"]),
    "employment_placements_created": (1, None, None, ["j0"]),
    "participants_put_forward": (2, None, None, ["p3", "p1"]),
    "distance_travelled": (0, 0, 1, ["Jo"]),
    "placement_starts": (1, None, None, ["p3"]),
    "placement_completions": (0, None, None, []),
    # Bea's order ended on 30 April, before her support started (1 May, London time).
    "orders_completed": (0, 0, 0, []),
    # Ada's offence (1 June 2024) is in her window.
    "not_reoffending": (2, 2, 3, ["Fay", "Ada", "Jo"]),
    "referrals_received": (4, None, None, ["Fay", "Ada", "Jo", "Bea"]),
    "referrals_accepted": (3, None, None, ["Fay", "Ada", "Jo"]),
    "starts": (3, None, None, ["Fay", "Ada", "Jo"]),
    # Bea started at 00:30 on 1 May, after the end of 30 April.
    "caseload": (3, 3, 30, ["Fay", "Ada", "Jo"]),
    "waiting_time": (0.0, None, 3, ["Fay", "Ada", "Jo"]),
    "attrition": (0, 0, 0, []),
    "job_starts": (1, None, None, ["p3"]),
    "sustained_4_weeks": (0, 0, 0, []),
    "sustained_13_weeks": (0, 0, 0, []),
    "sustained_26_weeks": (0, 0, 0, []),
}

EXPECTED_AFTER: dict[str, Expected] = {
    "goals_achieved": (0, None, None, []),
    "training_placements_created": (0, None, None, []),
    "employment_placements_created": (1, None, None, ["j1"]),
    "participants_put_forward": (1, None, None, ["p6"]),
    "distance_travelled": (1, 1, 1, ["Jo"]),
    "placement_starts": (1, None, None, ["p6"]),
    # p4 (Bea's job) ended on 1 November: a job is never a completed placement.
    "placement_completions": (0, None, None, []),
    "orders_completed": (1, 1, 1, ["eve"]),
    "not_reoffending": (0, 0, 0, ["Cal"]),
    "referrals_received": (1, None, None, ["Dan"]),
    "referrals_accepted": (1, None, None, ["Cal"]),
    "starts": (1, None, None, ["Cal"]),
    "caseload": (6, 6, 30, ["Ada", "Jo", "Bea", "Hal", "Ivy", "Cal"]),
    "waiting_time": (0.0, None, 1, ["Cal"]),
    "attrition": (1, 1, 1, ["Gus"]),
    "job_starts": (1, None, None, ["p6"]),
    # p6 (Hal's job from 4 November): checks due 2 December and 3 February, never
    # recorded; Ivy's 26-week check (9 January) neither.
    "sustained_4_weeks": (0, 0, 1, [("p6", 4)]),
    "sustained_13_weeks": (0, 0, 1, [("p6", 13)]),
    "sustained_26_weeks": (1, 1, 2, [("p4", 26), ("p7", 26)]),
}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    """Nothing here reads the wall clock: the world is built at its own moments, and the
    figures are read on AS_OF."""
    with at(AS_OF):
        yield


def _names(world: World) -> dict[tuple[type, int], Any]:
    names: dict[tuple[type, int], Any] = {}
    for name, referral in world.referrals.items():
        names[(Referral, referral.pk)] = name
    for key, opportunity in world.opportunities.items():
        names[(Opportunity, opportunity.pk)] = key
    for key, placement in world.placements.items():
        names[(Placement, placement.pk)] = key
        for check in SustainmentCheck.objects.filter(placement=placement):
            names[(SustainmentCheck, check.pk)] = (key, check.weeks)
    for key, order in world.orders.items():
        names[(Order, order.pk)] = key
    return names


def _actual(world: World, period: Period, as_of: datetime.date = AS_OF) -> dict[str, Expected]:
    names = _names(world)
    found = {}
    for item in MEASURES:
        figure = item.compute(world.service, period, as_of)
        records = [names[(type(r), r.pk)] for r in item.records(world.service, period, as_of)]
        found[item.key] = (figure.value, figure.numerator, figure.denominator, records)
    return found


def _differences(actual: dict[str, Expected], expected: dict[str, Expected]) -> dict[str, Any]:
    return {
        key: {"expected": expected[key], "actual": actual[key]}
        for key in KEYS
        if actual[key] != expected[key]
    }


# The registry


def test_the_registry_has_the_measures_in_order() -> None:
    assert [item.key for item in MEASURES] == KEYS
    assert set(BY_KEY) == set(KEYS)
    assert [item.number for item in MEASURES[:8]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert all(item.number is None for item in MEASURES[8:])
    assert measure("attrition") is BY_KEY["attrition"]
    assert measure("no_such_measure") is None


def test_every_measure_says_how_it_is_counted_and_what_it_lists() -> None:
    for item in MEASURES:
        assert len(item.definition) > 20, item.key
        assert item.definition.endswith("."), item.key
        assert item.columns, item.key
        assert item.unit in ("count", "days", "percent")
    assert BY_KEY["orders_completed"].title == (
        "7. Participants successfully completing their community order"
    )
    assert BY_KEY["caseload"].title == "Caseload and capacity use"
    lower_is_better = {item.key for item in MEASURES if not item.higher_is_better}
    assert lower_is_better == {"waiting_time", "attrition"}
    assert BY_KEY["waiting_time"].unit == "days"


def test_a_figure_gives_its_rate_only_when_it_is_a_share() -> None:
    assert Figure(2, numerator=2, denominator=5).rate == 0.4
    assert Figure(0, numerator=0, denominator=0).rate is None
    assert Figure(3).rate is None


# The world, counted by hand


def test_every_measure_in_the_half_year_counts_exactly_the_records_counted_by_hand(
    world: World,
) -> None:
    assert (HALF.start, HALF.end) == (D(2024, 5, 1), D(2024, 10, 31))
    assert _differences(_actual(world, HALF), EXPECTED_HALF) == {}


def test_every_measure_in_the_half_year_before(world: World) -> None:
    assert _differences(_actual(world, BEFORE), EXPECTED_BEFORE) == {}


def test_every_measure_in_the_half_year_after(world: World) -> None:
    assert _differences(_actual(world, AFTER), EXPECTED_AFTER) == {}


def test_a_custom_period_of_one_day_on_each_boundary(world: World) -> None:
    first = _actual(world, Period(D(2024, 5, 1), D(2024, 5, 1)))
    assert first["referrals_received"] == (1, None, None, ["Kit"])
    assert first["starts"] == (1, None, None, ["Bea"])
    assert first["training_placements_created"] == (1, None, None, ["t1"])
    assert first["participants_put_forward"] == (1, None, None, ["p2"])
    assert first["placement_starts"] == (1, None, None, ["p1"])
    assert first["sustained_4_weeks"] == (1, 1, 1, [("p3", 4)])
    assert first["orders_completed"] == (1, 1, 1, ["ada_done"])
    last = _actual(world, Period(D(2024, 10, 31), D(2024, 10, 31)))
    assert last["referrals_received"] == (1, None, None, ["Cal"])
    assert last["attrition"] == (0, 0, 1, ["Fay"])
    assert last["employment_placements_created"] == (1, None, None, ["w1"])
    assert last["participants_put_forward"] == (1, None, None, ["p5"])
    assert last["placement_completions"] == (1, None, None, ["p1"])
    # Jo's youth rehabilitation order is shown by type, not in the headline.
    assert last["orders_completed"] == (0, 0, 0, [])


def test_the_breakdowns_of_distance_attrition_and_reoffending(world: World) -> None:
    service = world.service
    assert BY_KEY["distance_travelled"].compute(service, HALF, AS_OF).breakdown == [
        ("Moved up", 1),
        ("Stayed the same", 0),
        ("Moved down", 1),
        ("With Pathways work readiness", 2),
    ]
    assert BY_KEY["attrition"].compute(service, HALF, AS_OF).breakdown == [
        ("Circumstances", 0),
        ("Disengaged", 1),
        ("Other", 0),
        ("Positive", 1),
        ("Left the waiting list before support started (not counted)", 0),
    ]


def test_placements_and_jobs_are_split_by_kind(world: World) -> None:
    """Measures 1, 2, 3, 5 and 6 with their split by kind; a person in two kinds counts in
    each line and once in the total."""
    service = world.service

    def split(key: str) -> tuple[object, list[tuple[str, int]]]:
        figure = BY_KEY[key].compute(service, HALF, AS_OF)
        return figure.value, figure.breakdown

    assert split("employment_placements_created") == (
        2,
        [("Work placement", 1), ("Job vacancy", 1)],
    )
    assert split("participants_put_forward") == (
        4,
        [("Training placement", 1), ("Work placement", 1), ("Job vacancy", 2)],
    )
    assert split("placement_starts") == (
        3,
        [("Training placement", 1), ("Work placement", 0), ("Job vacancy", 2)],
    )
    assert split("placement_completions") == (
        1,
        [("Training placement", 1), ("Work placement", 0)],
    )


# Measure 7: orders


def test_measure_7_headline_is_community_orders_with_the_others_by_type(world: World) -> None:
    from pathways.outcomes.models import OrderMeasureSetting

    figure = BY_KEY["orders_completed"].compute(world.service, HALF, AS_OF)
    assert (figure.value, figure.numerator, figure.denominator) == (2, 2, 2)
    assert figure.breakdown == [
        ("Community order: completed", 2),
        ("Community order: ended", 2),
        ("Suspended sentence order: completed", 0),
        ("Suspended sentence order: ended", 0),
        ("Youth rehabilitation order: completed", 0),
        ("Youth rehabilitation order: ended", 1),
    ]
    assert figure.note == "The headline counts: community order."
    # The service may count youth rehabilitation orders in its headline too.
    OrderMeasureSetting.objects.create(
        service=world.service,
        headline_order_types=["community_order", "youth_rehabilitation"],
    )
    figure = BY_KEY["orders_completed"].compute(world.service, HALF, AS_OF)
    assert (figure.value, figure.numerator, figure.denominator) == (2, 2, 3)
    assert figure.note == ("The headline counts: community order, youth rehabilitation order.")


def test_orders_from_an_extract_and_by_hand_both_count_each_person_once(world: World) -> None:
    orders = list(BY_KEY["orders_completed"].records(world.service, HALF, AS_OF))
    assert {order.source for order in orders} == {Source.HAND, Source.IMPORT}
    ada = [order for order in orders if order.participant_id == world.person("Ada").pk]
    assert sorted(order.termination for order in ada) == [Termination.BREACH, Termination.COMPLETED]
    row = [column.of(orders[0]) for column in BY_KEY["orders_completed"].columns]
    assert row[2:] == [
        "Community order",
        D(2024, 5, 1),
        "Completed successfully",
        "Entered by hand",
    ]


def test_an_order_counts_once_support_started_by_the_day_it_ended(world: World) -> None:
    """Dan's order was never counted; once Dan starts, an order that ends after the start
    counts and one that ended before does not."""
    from pathways.outcomes.tests.world import _Builder, utc

    builder = _Builder(world)
    builder.accept("Dan", utc(2024, 11, 1, 0, 5))
    builder.order("dan_after", "Dan", "community_order", D(2024, 1, 1), D(2024, 11, 1), "completed")
    figure = BY_KEY["orders_completed"].compute(world.service, AFTER, AS_OF)
    assert (figure.value, figure.numerator, figure.denominator) == (2, 2, 2)
    assert BY_KEY["orders_completed"].compute(world.service, HALF, AS_OF).denominator == 2


# Measure 8: proven reoffending


def _reoffending(world: World, as_of: datetime.date) -> Figure:
    return BY_KEY["not_reoffending"].compute(world.service, HALF, as_of)


def test_reoffending_once_every_window_has_closed(world: World) -> None:
    figure = _reoffending(world, AS_OF)
    assert figure.breakdown == [
        ("Reoffended (18 months passed)", 3),
        ("Did not reoffend (18 months passed)", 2),
        ("Proven re-offences (18 months passed)", 4),
        ("No proven offence so far (18 months not passed)", 0),
        ("Proven offence already (18 months not passed)", 0),
        ("In custody at the end of the period (not counted)", 0),
    ]
    assert figure.note == (
        "Binary rate 60% reoffended; frequency 0.80 proven re-offences per person."
    )
    records = {
        record.participant.first_name: (record.window_closed, record.reoffended)
        for record in BY_KEY["not_reoffending"].records(world.service, HALF, AS_OF)
    }
    assert records == {
        "Bea": (True, True),  # a caution, committed and proven on the last days
        "Eve": (True, False),  # committed on the anniversary; another before the start
        "Gus": (True, False),  # proven on the 18-month date
        "Hal": (True, True),  # two convictions: both in the frequency
        "Ivy": (True, True),  # committed on the start day
    }


@pytest.mark.parametrize(
    ("as_of", "closed", "reoffended", "offences", "open_clear", "open_reoffended"),
    [
        # Bea's 18 months (from 1 May 2024) pass on 1 November 2025: on 31 October they
        # have not passed.
        (D(2025, 10, 31), 0, 0, 0, 2, 3),
        (D(2025, 11, 1), 1, 1, 1, 2, 2),
        # Eve's (from 10 May) on 10 November 2025.
        (D(2025, 11, 9), 1, 1, 1, 2, 2),
        (D(2025, 11, 10), 2, 1, 1, 1, 2),
        # Gus's (from 1 June) on 1 December; Hal's and Ivy's (from 11 June) on 11 December.
        (D(2025, 11, 30), 2, 1, 1, 1, 2),
        (D(2025, 12, 1), 3, 1, 1, 0, 2),
        (D(2025, 12, 10), 3, 1, 1, 0, 2),
        (D(2025, 12, 11), 5, 3, 4, 0, 0),
    ],
)
def test_reoffending_counts_in_the_rate_only_windows_that_have_closed(
    world: World,
    as_of: datetime.date,
    closed: int,
    reoffended: int,
    offences: int,
    open_clear: int,
    open_reoffended: int,
) -> None:
    figure = _reoffending(world, as_of)
    assert (figure.value, figure.numerator, figure.denominator) == (
        closed - reoffended,
        closed - reoffended,
        closed,
    )
    assert dict(figure.breakdown) == {
        "Reoffended (18 months passed)": reoffended,
        "Did not reoffend (18 months passed)": closed - reoffended,
        "Proven re-offences (18 months passed)": offences,
        "No proven offence so far (18 months not passed)": open_clear,
        "Proven offence already (18 months not passed)": open_reoffended,
        "In custody at the end of the period (not counted)": 0,
    }
    still_open = 5 - closed
    if still_open:
        assert (
            f"{open_clear} of {still_open} whose 18 months have not yet passed: no proven "
            "offence so far (not counted in the rate)."
        ) in figure.note
    if closed:
        assert f"Binary rate {reoffended / closed:.0%} reoffended" in figure.note
        assert f"frequency {offences / closed:.2f} proven re-offences per person" in figure.note
    else:
        assert "Binary rate" not in figure.note
    closed_in_records = [
        record.participant.first_name
        for record in BY_KEY["not_reoffending"].records(world.service, HALF, as_of)
        if record.window_closed
    ]
    assert len(closed_in_records) == closed


def test_the_note_at_eve_s_window_reads_in_full(world: World) -> None:
    assert _reoffending(world, D(2025, 11, 10)).note == (
        "Binary rate 50% reoffended; frequency 0.50 proven re-offences per person. "
        "1 of 3 whose 18 months have not yet passed: no proven offence so far (not counted "
        "in the rate)."
    )


def test_an_offence_just_inside_each_edge_counts_and_just_outside_does_not(
    world: World,
) -> None:
    """Gus (start 1 June 2024): committed before 1 June 2025, proven before 1 December
    2025."""
    from pathways.outcomes.models import ProvenOffence

    def gus_reoffended() -> bool:
        rows = BY_KEY["not_reoffending"].records(world.service, HALF, AS_OF)
        return bool(rows.get(participant=world.person("Gus")).reoffended)

    gus = world.person("Gus")
    assert not gus_reoffended()
    for committed, proven, counted in [
        (D(2025, 6, 2), D(2025, 6, 3), False),  # committed the day after the anniversary
        (D(2025, 6, 1), D(2025, 6, 3), False),  # committed on the anniversary
        (D(2024, 5, 31), D(2024, 6, 5), False),  # committed the day before the start
        (D(2024, 6, 1), D(2024, 6, 5), True),  # committed on the start day
        (D(2025, 5, 31), D(2025, 12, 2), False),  # proven the day after the 18-month date
        (D(2025, 5, 31), D(2025, 12, 1), False),  # proven on the 18-month date
        (D(2025, 5, 31), D(2025, 11, 30), True),  # the last day of each window
    ]:
        offence = ProvenOffence.objects.create(
            participant=gus,
            committed_on=committed,
            proven_on=proven,
            proven_by="conviction",
            category="theft",
            source=Source.IMPORT,
            recorded_at=local(2026, 2, 1, 9),
        )
        assert gus_reoffended() is counted, (committed, proven)
        offence.delete()


def test_reoffending_reads_the_start_day_in_london_time(world: World) -> None:
    """Bea started at 00:30 BST on 1 May (23:30 UTC on 30 April): her window starts on
    1 May, so an offence on 30 April is before it."""
    from pathways.outcomes.models import ProvenOffence

    ProvenOffence.objects.create(
        participant=world.person("Eve"),
        committed_on=D(2025, 5, 9),  # the day before Eve's first anniversary
        proven_on=D(2025, 5, 20),
        proven_by="caution",
        category="theft",
        source=Source.IMPORT,
        recorded_at=local(2026, 2, 1, 9),
    )
    ProvenOffence.objects.filter(participant=world.person("Bea")).update(
        committed_on=D(2024, 4, 30), proven_on=D(2024, 5, 3)
    )
    records = {
        record.participant.first_name: record
        for record in BY_KEY["not_reoffending"].records(world.service, HALF, AS_OF)
    }
    assert records["Bea"].index_day == D(2024, 5, 1)
    assert records["Bea"].reoffended is False
    assert records["Eve"].reoffended is True


def test_drilldown_columns_read_from_each_record(world: World) -> None:
    service = world.service
    for item in MEASURES:
        for record in item.records(service, HALF, AS_OF):
            row = [column.of(record) for column in item.columns]
            assert len(row) == len(item.columns)
            if item.columns[0].label == "Person":
                assert row[0] in {
                    f"{r.participant.first_name} {r.participant.last_name}"
                    for r in world.referrals.values()
                }


def test_measures_are_per_service(world: World, outsider: Any) -> None:
    other = outsider.service
    assert isinstance(other, Service)
    for item in MEASURES[1:]:
        figure = item.compute(other, HALF, AS_OF)
        assert figure.value in (0, 0.0, None), item.key
        assert not item.records(other, HALF, AS_OF).exists(), item.key
    # Their one training placement, and none of ours.
    assert BY_KEY["training_placements_created"].compute(other, HALF, AS_OF).value == 1
    assert [o.title for o in BY_KEY["training_placements_created"].records(other, HALF, AS_OF)] == [
        "Elsewhere training"
    ]


def test_attrition_shows_people_leaving_the_waiting_list_apart(world: World) -> None:
    """Lea is accepted onto the waiting list on 1 August 2024 (the service full) and leaves
    it on 20 August, before support started: not attrition, a line of its own."""
    from pathways.accounts.models import Service as ServiceModel
    from pathways.outcomes.tests.world import _Builder
    from pathways.referrals import services as referrals
    from pathways.referrals.models import EndReason

    builder = _Builder(world)
    builder.refer("Lea", local(2024, 8, 1, 10))
    active = Referral.objects.filter(service=world.service).active().count()
    ServiceModel.objects.filter(pk=world.service.pk).update(capacity=active)
    builder.accept("Lea", local(2024, 8, 1, 11))
    assert world.referrals["Lea"].started_at is None
    with at(local(2024, 8, 20, 10)):
        referrals.referral_end(
            actor=world.manager,
            referral=world.referrals["Lea"],
            reason=EndReason.objects.get(code="disengaged"),
            closing_summary="",
        )
    figure = BY_KEY["attrition"].compute(world.service, HALF, AS_OF)
    assert (figure.value, figure.numerator, figure.denominator) == (1, 1, 2)
    assert dict(figure.breakdown)["Left the waiting list before support started (not counted)"] == 1
    assert figure.note == "1 left the waiting list before support started (not counted)."
