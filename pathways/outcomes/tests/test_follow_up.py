"""Measure 8's exact windows: committed on or after the index date and before the same date
a year later; proven before the date 18 months after it; calendar months, 29 February
rolling to 28 February. The day before, the day and the day after each bound, across a
leap year, in Python and in the database, and in the measure on the hand-counted world."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import DateField, Value

from pathways.accounts.models import Service
from pathways.outcomes.follow_up import (
    add_months,
    counts,
    follow_up_bounds,
    window_closed,
)
from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.models import ProvenOffence, Source
from pathways.outcomes.tests.world import AS_OF, BEFORE, World, _Builder, local

D = datetime.date
ONE = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("index", "committed_before", "proven_before"),
    [
        (D(2024, 6, 1), D(2025, 6, 1), D(2025, 12, 1)),
        # A leap day: the same date a year later is 28 February.
        (D(2024, 2, 29), D(2025, 2, 28), D(2025, 8, 29)),
        (D(2023, 2, 28), D(2024, 2, 28), D(2024, 8, 28)),
        (D(2023, 3, 1), D(2024, 3, 1), D(2024, 9, 1)),
        # 18 months from the end of August lands in February: its last day.
        (D(2023, 8, 31), D(2024, 8, 31), D(2025, 2, 28)),
        (D(2022, 8, 31), D(2023, 8, 31), D(2024, 2, 29)),
        (D(2023, 8, 29), D(2024, 8, 29), D(2025, 2, 28)),
        (D(2022, 8, 29), D(2023, 8, 29), D(2024, 2, 29)),
        (D(2024, 12, 31), D(2025, 12, 31), D(2026, 6, 30)),
    ],
)
def test_the_bounds_are_the_same_date_a_year_and_18_months_later(
    index: datetime.date, committed_before: datetime.date, proven_before: datetime.date
) -> None:
    bounds = follow_up_bounds(index)
    assert (bounds.committed_before, bounds.proven_before) == (committed_before, proven_before)


@pytest.mark.parametrize("index", [D(2024, 2, 29), D(2024, 6, 1), D(2023, 8, 31)])
def test_the_day_before_the_day_and_the_day_after_each_bound(index: datetime.date) -> None:
    bounds = follow_up_bounds(index)
    early = index + ONE  # proven early enough whatever was committed
    # The start: the day before does not count, the day and the day after do.
    assert not counts(index, index - ONE, early)
    assert counts(index, index, early)
    assert counts(index, index + ONE, early + ONE)
    # The anniversary: the day before counts, the day and the day after do not.
    year = bounds.committed_before
    assert counts(index, year - ONE, year)
    assert not counts(index, year, year)
    assert not counts(index, year + ONE, year + ONE)
    # The 18-month date: proven the day before counts, the day and the day after do not.
    proven = bounds.proven_before
    assert counts(index, index, proven - ONE)
    assert not counts(index, index, proven)
    assert not counts(index, index, proven + ONE)
    # The window has passed from the 18-month date itself.
    assert not window_closed(index, proven - ONE)
    assert window_closed(index, proven)


def test_add_months_refuses_a_negative_or_fractional_number_in_the_database() -> None:
    with pytest.raises(ValueError):
        add_months(Value(D(2024, 1, 1)), -1)


@pytest.mark.django_db
def test_the_database_adds_months_as_python_does_every_day_across_a_leap_year(
    service: Service,
) -> None:
    """Every index date from 1 January 2023 to 31 December 2024 (2024 a leap year): the
    database's bounds equal ``follow_up_bounds`` in Python."""
    one_row = Service.objects.filter(pk=service.pk)
    for n in range(731):
        day = D(2023, 1, 1) + datetime.timedelta(days=n)
        bounds = follow_up_bounds(Value(day, output_field=DateField()))
        got = one_row.annotate(a=bounds.committed_before, b=bounds.proven_before)
        expected = follow_up_bounds(day)
        assert got.values_list("a", "b").get() == (
            expected.committed_before,
            expected.proven_before,
        ), day


def _start_lea(world: World) -> None:
    """Lea is referred on 28 February 2024 and starts support on the leap day (the
    referral factory cannot be run on 29 February: it puts a birthday on it)."""
    builder = _Builder(world)
    builder.refer("Lea", local(2024, 2, 28, 10))
    builder.accept("Lea", local(2024, 2, 29, 10))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("committed", "proven", "counted"),
    [
        (D(2024, 2, 28), D(2024, 3, 5), False),  # the day before the index date
        (D(2024, 2, 29), D(2024, 3, 5), True),  # the index date (a leap day)
        (D(2024, 3, 1), D(2024, 3, 5), True),  # the day after
        (D(2025, 2, 27), D(2025, 3, 5), True),  # the day before 28 February 2025
        (D(2025, 2, 28), D(2025, 3, 5), False),  # 28 February 2025: the year is up
        (D(2025, 3, 1), D(2025, 3, 5), False),  # the day after
        (D(2024, 6, 1), D(2025, 8, 28), True),  # proven the day before 29 August 2025
        (D(2024, 6, 1), D(2025, 8, 29), False),  # proven 18 months after the index date
        (D(2024, 6, 1), D(2025, 8, 30), False),  # the day after
    ],
)
def test_a_leap_day_start_counts_offences_up_to_each_bound_and_not_past_it(
    world: World, committed: datetime.date, proven: datetime.date, counted: bool
) -> None:
    """Lea starts support on 29 February 2024 (in the half-year before ``HALF``)."""
    _start_lea(world)
    ProvenOffence.objects.create(
        participant=world.person("Lea"),
        committed_on=committed,
        proven_on=proven,
        proven_by="conviction",
        category="theft",
        source=Source.IMPORT,
        recorded_at=local(2026, 2, 1, 9),
    )
    measure = BY_KEY["not_reoffending"]
    rows = {r.participant.first_name: r for r in measure.records(world.service, BEFORE, AS_OF)}
    lea = rows["Lea"]
    assert (lea.index_day, lea.committed_before, lea.proven_before) == (
        D(2024, 2, 29),
        D(2025, 2, 28),
        D(2025, 8, 29),
    )
    assert lea.reoffended is counted
    # Fay, Ada and Jo as in the hand count (Ada reoffended), and Lea.
    figure = measure.compute(world.service, BEFORE, AS_OF)
    assert (figure.numerator, figure.denominator) == (2 if counted else 3, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "passed"),
    [(D(2025, 8, 28), False), (D(2025, 8, 29), True), (D(2025, 8, 30), True)],
)
def test_a_leap_day_start_counts_in_the_rate_from_its_18_month_date(
    world: World, as_of: datetime.date, passed: bool
) -> None:
    _start_lea(world)
    rows = BY_KEY["not_reoffending"].records(world.service, BEFORE, as_of)
    assert rows.get(participant=world.person("Lea")).window_closed is passed
