"""Units: each measure says whether its target is a count or a rate, and its status
compares like with like (a rate target against the rate, a count target against the
count)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from pathways.core.periods import half_year
from pathways.outcomes.measures import BY_KEY, MEASURES, Figure, TargetUnit
from pathways.outcomes.selectors import Status, TargetResult, judge, judged_value

D = datetime.date
HALF = half_year(D(2024, 5, 1))
AFTER = D(2024, 11, 1)
RATES = {
    "orders_completed",
    "not_reoffending",
    "distance_travelled",
    "attrition",
    "sustained_4_weeks",
    "sustained_13_weeks",
    "sustained_26_weeks",
}


def test_every_measure_says_whether_its_target_is_a_count_or_a_rate() -> None:
    assert {m.key for m in MEASURES if m.target_unit == TargetUnit.RATE} == RATES
    assert all(m.target_unit in (TargetUnit.COUNT, TargetUnit.RATE) for m in MEASURES)


def test_a_rate_target_is_compared_with_the_rate_not_the_count() -> None:
    sustained = BY_KEY["sustained_13_weeks"]
    # 12 of 30 in work: 40%. A 60% target is missed, though the count 12 is above 10.
    figure = Figure(12, numerator=12, denominator=30)
    assert judged_value(sustained, figure) == 40.0
    assert judge(sustained, figure, Decimal(60), HALF, AFTER, tolerance=10)[0] == Status.RED
    assert judge(sustained, figure, Decimal(40), HALF, AFTER, tolerance=10)[0] == Status.GREEN
    # Before: the count (12) was compared with the 10 and called green.
    assert judge(sustained, figure, Decimal(10), HALF, AFTER, tolerance=10)[0] == Status.GREEN


def test_a_lower_is_better_rate_is_judged_as_a_rate() -> None:
    attrition = BY_KEY["attrition"]
    figure = Figure(1, numerator=1, denominator=2)  # one of two leavers disengaged: 50%
    assert judge(attrition, figure, Decimal(1), HALF, AFTER, tolerance=10)[0] == Status.RED
    assert judge(attrition, figure, Decimal(50), HALF, AFTER, tolerance=10)[0] == Status.GREEN


def test_a_rate_with_nothing_due_has_no_rate_and_is_neither_met_nor_missed() -> None:
    sustained = BY_KEY["sustained_4_weeks"]
    nothing = Figure(0, numerator=0, denominator=0)
    assert judged_value(sustained, nothing) is None
    assert judge(sustained, nothing, Decimal(60), HALF, AFTER, tolerance=10) == (
        Status.NO_RATE,
        None,
    )


def test_a_rate_in_an_open_period_is_not_pro_rated() -> None:
    orders = BY_KEY["orders_completed"]
    one_month_in = D(2024, 5, 31)
    figure = Figure(7, numerator=7, denominator=10)  # 70%
    status, goal = judge(orders, figure, Decimal(70), HALF, one_month_in, tolerance=10)
    assert (status, goal) == (Status.ON_TRACK, None)


@pytest.mark.parametrize(
    ("key", "value", "count"),
    [("placement_starts", 12, 12.0), ("caseload", 25, 25.0)],
)
def test_a_count_target_is_compared_with_the_count(key: str, value: int, count: float) -> None:
    measure = BY_KEY[key]
    figure = Figure(value, numerator=value, denominator=30)
    assert judged_value(measure, figure) == count
    assert judge(measure, figure, Decimal(value), HALF, AFTER, tolerance=10)[0] == Status.GREEN


def test_targets_are_shown_in_their_unit() -> None:
    rate = TargetResult("long_term", Decimal("60.0"), Status.GREEN, unit=TargetUnit.RATE)
    count = TargetResult("long_term", Decimal("12.0"), Status.GREEN)
    assert (rate.shown, count.shown) == ("60%", "12")
