"""Sustainment: the denominator is every check that fell due by the as-at day; a check due
but not recorded by then is "not known", shown apart and never counted as sustained."""

from __future__ import annotations

import datetime

import pytest

from pathways.core.periods import Period
from pathways.outcomes.measures import BY_KEY, Figure
from pathways.outcomes.tests.world import AFTER, AS_OF, HALF, World
from pathways.placements.models import SustainmentCheck

pytestmark = pytest.mark.django_db

D = datetime.date


def _figure(world: World, weeks: int, period: Period, as_of: datetime.date) -> Figure:
    return BY_KEY[f"sustained_{weeks}_weeks"].compute(world.service, period, as_of)


def test_a_check_due_but_not_recorded_is_not_known_and_in_the_denominator(
    world: World,
) -> None:
    """13 weeks, May to October 2024: Jo not in work (3 July), Bea in work (7 October),
    Ivy's check (due 10 October) never recorded."""
    figure = _figure(world, 13, HALF, AS_OF)
    assert (figure.value, figure.numerator, figure.denominator) == (1, 1, 3)
    assert figure.breakdown == [
        ("In work", 1),
        ("Not in work", 1),
        ("Not known (due, not recorded)", 1),
    ]
    assert figure.note == (
        "1 of 3 checks due were not recorded: not known, and not counted as sustained."
    )
    found = {
        row.placement.participant.first_name: BY_KEY["sustained_13_weeks"].columns[-1].of(row)
        for row in BY_KEY["sustained_13_weeks"].records(world.service, HALF, AS_OF)
    }
    assert found == {"Jo": "Not in work", "Bea": "In work", "Ivy": "Not known (due, not recorded)"}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Jo's 4-week check fell due on 1 May 2024 and was recorded on 2 May.
        (D(2024, 4, 30), (0, 0, 0, [0, 0, 0])),  # not due yet: no figure
        (D(2024, 5, 1), (0, 0, 1, [0, 0, 1])),  # due, not known yet
        (D(2024, 5, 2), (1, 1, 1, [1, 0, 0])),  # recorded: in work
    ],
)
def test_checks_count_from_the_day_due_and_outcomes_from_the_day_recorded(
    world: World, as_of: datetime.date, expected: tuple[int, int, int, list[int]]
) -> None:
    figure = _figure(world, 4, HALF, as_of)
    value, numerator, denominator, parts = expected
    assert (figure.value, figure.numerator, figure.denominator) == (value, numerator, denominator)
    assert [count for _label, count in figure.breakdown] == parts


def test_a_half_year_as_at_its_last_day_leaves_out_a_check_recorded_after_it(
    world: World,
) -> None:
    """The issue's case: a check recorded on 2 November does not count in a half-year
    computed as at 31 October. Bea's 13-week check (due 7 October) is recorded on 2
    November instead of 8 October."""
    SustainmentCheck.objects.filter(placement=world.placements["p4"], weeks=13).update(
        checked_on=D(2024, 11, 2)
    )
    at_end = _figure(world, 13, HALF, HALF.end)
    assert (at_end.numerator, at_end.denominator) == (0, 3)
    assert dict(at_end.breakdown)["Not known (due, not recorded)"] == 2
    later = _figure(world, 13, HALF, D(2024, 11, 2))
    assert (later.numerator, later.denominator) == (1, 3)


def test_the_next_half_year_counts_unrecorded_checks_as_not_known(world: World) -> None:
    figure = _figure(world, 26, AFTER, AS_OF)
    assert (figure.numerator, figure.denominator) == (1, 2)
    assert dict(figure.breakdown)["Not known (due, not recorded)"] == 1
