"""As at means as at: a figure computed as at a day counts only the facts recorded by the
end of that day; a closed period's figures as at its last day are the same whenever they
are computed, and the facts recorded for it since are counted apart."""

from __future__ import annotations

import datetime

import pytest

from pathways.outcomes import selectors
from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.tests.world import AS_OF, HALF, World, late_order
from pathways.placements.models import SustainmentCheck

pytestmark = pytest.mark.django_db

D = datetime.date


def _values(world: World, as_of: datetime.date) -> dict[str, tuple[object, ...]]:
    return {
        r.measure.key: (r.figure.value, r.figure.numerator, r.figure.denominator)
        for r in selectors.measures_for_period(world.service, HALF, as_of=as_of)
    }


def test_an_open_period_as_at_a_day_counts_only_what_had_happened_by_then(
    world: World,
) -> None:
    """As at 31 May 2024: Kit and Eve referred, Bea and Eve started, Ada's training
    placement t1 created and p1 started; nothing ended; Jo's 4-week check in work."""
    values = _values(world, D(2024, 5, 31))
    assert values["referrals_received"] == (2, None, None)
    assert values["starts"] == (2, None, None)
    assert values["training_placements_created"] == (1, None, None)
    assert values["placement_starts"] == (1, None, None)
    assert values["attrition"] == (0, 0, 0)
    assert values["sustained_4_weeks"] == (1, 1, 1)
    # Caseload at the end of 31 May, not of 31 October: Fay, Ada, Jo, Bea, Eve.
    assert values["caseload"] == (5, 5, 30)


def test_an_order_recorded_after_the_as_at_day_is_not_counted(world: World) -> None:
    """The world's orders were entered in February and March 2026: as at the half-year's
    last day, none was recorded yet."""
    measure = BY_KEY["orders_completed"]
    at_end = measure.compute(world.service, HALF, HALF.end)
    assert (at_end.numerator, at_end.denominator) == (0, 0)
    assert not measure.records(world.service, HALF, HALF.end).exists()
    later = measure.compute(world.service, HALF, AS_OF)
    assert (later.numerator, later.denominator) == (2, 2)  # community orders: Ada, Gus
    # The day before the imported ones (1 February 2026, 09:00) and the day of them.
    assert measure.compute(world.service, HALF, D(2026, 1, 31)).denominator == 0
    assert measure.compute(world.service, HALF, D(2026, 2, 1)).denominator == 2


def test_a_closed_period_as_at_its_end_gives_the_same_figures_later(world: World) -> None:
    """Figures as at 31 October 2024, computed in 2026 and again after more facts about
    the half-year were recorded: unchanged; facts recorded after the end are counted
    apart."""
    first = _values(world, HALF.end)
    before = selectors.facts_recorded_after(world.service, HALF)
    # The world's facts recorded after 31 October 2024 about the half-year: the five
    # community orders that ended in it (Ada's two, Gus's, Jo's, and Dan's, who never
    # started), the four offences of its starters proven (and recorded) after it (Bea's,
    # Eve's late one, Gus's, Hal's second); Bea's reading of 31 October was recorded that
    # day, and no check was recorded late.
    assert before == {"orders": 5, "sustainment_checks": 0, "readings": 0, "offences": 4}
    late_order(world, "extract-2")
    SustainmentCheck.objects.filter(placement=world.placements["p7"], weeks=13).update(
        checked_on=D(2024, 11, 20), in_work=False
    )
    assert _values(world, HALF.end) == first
    assert selectors.facts_recorded_after(world.service, HALF) == {
        "orders": 6,
        "sustainment_checks": 1,
        "readings": 0,
        "offences": 4,
    }
    # An updated edition (as at a later day) counts them.
    assert _values(world, AS_OF)["orders_completed"] == (3, 3, 3)
