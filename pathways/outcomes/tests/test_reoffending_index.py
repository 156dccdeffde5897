"""Measure 8's index date: the start of support, or the release date where the person was
serving a custodial sentence when support started (ROTL), whichever is later; people
still in custody at the end of the period are shown apart, never in the rate."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.models import Order, ProvenOffence, Source, Termination
from pathways.outcomes.tests.world import AS_OF, HALF, World, _Builder, local
from pathways.referrals.models import OrderType

pytestmark = pytest.mark.django_db

D = datetime.date
CUSTODY_LINE = "In custody at the end of the period (not counted)"


def _custodial(world: World, name: str, start: datetime.date, end: datetime.date | None) -> None:
    Order.objects.create(
        participant=world.person(name),
        order_type=OrderType.CUSTODIAL,
        start_date=start,
        actual_end_date=end,
        termination=Termination.COMPLETED if end else "",
        source=Source.IMPORT,
        source_ref="extract-1",
        recorded_at=local(2026, 2, 1, 9),
    )


def _offence(world: World, name: str, committed: datetime.date, proven: datetime.date) -> None:
    ProvenOffence.objects.create(
        participant=world.person(name),
        committed_on=committed,
        proven_on=proven,
        proven_by="conviction",
        category="theft",
        source=Source.IMPORT,
        recorded_at=local(2026, 2, 1, 9),
    )


def _rows(world: World, as_of: datetime.date = AS_OF) -> dict[str, Any]:
    return {
        r.participant.first_name: r
        for r in BY_KEY["not_reoffending"].records(world.service, HALF, as_of)
    }


def test_a_person_on_rotl_is_followed_up_from_release(world: World) -> None:
    """Rex starts support on 1 June 2024 while serving a sentence; released 1 September
    2024. An offence on ROTL (15 June 2024) is before his index date; one on 31 August
    2025 is before its first anniversary (it would be after the anniversary of the start
    of support)."""
    builder = _Builder(world)
    builder.start("Rex", local(2024, 6, 1, 11))
    _custodial(world, "Rex", D(2023, 1, 10), D(2024, 9, 1))
    _offence(world, "Rex", D(2024, 6, 15), D(2024, 7, 1))
    rex = _rows(world)["Rex"]
    assert (rex.support_day, rex.index_day) == (D(2024, 6, 1), D(2024, 9, 1))
    assert (rex.committed_before, rex.proven_before) == (D(2025, 9, 1), D(2026, 3, 1))
    assert rex.in_custody_at_end is False
    assert rex.reoffended is False
    figure = BY_KEY["not_reoffending"].compute(world.service, HALF, AS_OF)
    # The hand count (Bea, Hal and Ivy reoffended of five) and Rex, who did not.
    assert (figure.numerator, figure.denominator) == (3, 6)
    _offence(world, "Rex", D(2025, 8, 31), D(2025, 10, 1))
    assert _rows(world)["Rex"].reoffended is True
    figure = BY_KEY["not_reoffending"].compute(world.service, HALF, AS_OF)
    assert (figure.numerator, figure.denominator) == (2, 6)
    # His 18 months run from release: passed on 1 March 2026, not the day before.
    assert _rows(world, D(2026, 2, 28))["Rex"].window_closed is False


def test_a_sentence_ended_before_support_started_leaves_the_start_of_support(
    world: World,
) -> None:
    builder = _Builder(world)
    builder.start("Sol", local(2024, 6, 1, 11))
    _custodial(world, "Sol", D(2023, 1, 10), D(2024, 6, 1))  # released that day
    sol = _rows(world)["Sol"]
    assert (sol.in_custody_at_start, sol.index_day) == (False, D(2024, 6, 1))


def test_people_in_custody_at_the_end_of_the_period_are_shown_apart(world: World) -> None:
    """Tam is released on 1 November 2024, the day after the half-year; Uma has no release
    recorded. Neither counts in the rate nor among those whose 18 months are still
    running; the breakdown and the note give them."""
    builder = _Builder(world)
    builder.start("Tam", local(2024, 7, 1, 11))
    builder.start("Uma", local(2024, 7, 2, 11))
    _custodial(world, "Tam", D(2023, 1, 10), D(2024, 11, 1))
    _custodial(world, "Uma", D(2023, 1, 10), None)
    _offence(world, "Tam", D(2024, 12, 1), D(2025, 1, 5))
    rows = _rows(world)
    assert rows["Tam"].in_custody_at_end is True
    assert rows["Tam"].window_closed is False
    assert rows["Uma"].in_custody_at_end is True
    assert rows["Uma"].index_day is None
    figure = BY_KEY["not_reoffending"].compute(world.service, HALF, AS_OF)
    assert (figure.numerator, figure.denominator) == (2, 5)
    breakdown = dict(figure.breakdown)
    assert breakdown[CUSTODY_LINE] == 2
    assert breakdown["No proven offence so far (18 months not passed)"] == 0
    assert breakdown["Proven offence already (18 months not passed)"] == 0
    assert "2 still in custody at the end of the period" in figure.note
    # The next half-year's cohort does not take them: they started in this one.
    later = BY_KEY["not_reoffending"].compute(
        world.service, HALF.__class__(D(2024, 11, 1), D(2025, 4, 30)), AS_OF
    )
    assert dict(later.breakdown)[CUSTODY_LINE] == 0
