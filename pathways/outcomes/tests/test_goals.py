"""Measure 4 in the decision's words: people who achieved at least one plan goal in the
period, each once, with the goals achieved and set beside it."""

from __future__ import annotations

import datetime

import pytest

from pathways.outcomes.measures import BY_KEY, MEASURES
from pathways.outcomes.tests.world import AFTER, AS_OF, HALF, World, at
from pathways.plans import services as plans
from pathways.plans.models import GoalArea, GoalStatus

pytestmark = pytest.mark.django_db

D = datetime.date


def _goal(world: World, name: str, added: datetime.date, achieved: datetime.date | None) -> None:
    with at(added):
        goal = plans.goal_add(
            actor=world.worker,
            referral=world.referrals[name],
            title="Get a forklift licence",
            area=GoalArea.QUALIFICATIONS,
            target_date=added + datetime.timedelta(days=60),
        )
    if achieved is not None:
        with at(achieved):
            plans.goal_close(
                actor=world.worker, goal=goal, outcome=GoalStatus.ACHIEVED, on=achieved
            )


def test_measure_4_counts_people_achieving_a_goal_with_goals_achieved_and_set(
    world: World,
) -> None:
    """Ada achieves two goals in the half-year (counted once), Bea one; Jo's goal is set
    in it but achieved on 1 November; Hal's is set and not achieved."""
    _goal(world, "Ada", D(2024, 5, 2), D(2024, 6, 1))
    _goal(world, "Ada", D(2024, 5, 3), D(2024, 7, 1))
    _goal(world, "Bea", D(2024, 5, 4), D(2024, 10, 31))
    _goal(world, "Jo", D(2024, 6, 1), D(2024, 11, 1))
    _goal(world, "Hal", D(2024, 6, 12), None)
    measure = BY_KEY["goals_achieved"]
    assert (measure.number, measure.name) == (
        4,
        "Clients achieving realistic goals within their ETE pathway plans",
    )
    figure = measure.compute(world.service, HALF, AS_OF)
    assert figure.value == 2
    assert figure.breakdown == [
        ("Goals achieved in the period", 3),
        ("Goals set in the period", 5),
    ]
    assert figure.note == "3 goals achieved and 5 set in the period."
    people = [
        g.plan.referral.participant.first_name for g in measure.records(world.service, HALF, AS_OF)
    ]
    assert people == ["Ada", "Ada", "Bea"]
    assert measure.compute(world.service, AFTER, AS_OF).value == 1  # Jo
    # As at 15 June: only Ada's first.
    assert measure.compute(world.service, HALF, D(2024, 6, 15)).value == 1


def test_distance_travelled_is_a_measure_of_its_own_not_measure_4() -> None:
    distance = BY_KEY["distance_travelled"]
    assert distance.number is None
    assert [m.key for m in MEASURES if m.number == 4] == ["goals_achieved"]
