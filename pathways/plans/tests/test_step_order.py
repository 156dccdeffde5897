"""The order of a goal's steps: moved up or down one place at a time, inside the goal,
refused at the ends and on closed goals, audited; the plan page's buttons."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent
from pathways.plans import services
from pathways.plans.models import Goal, GoalArea, GoalStatus, Step
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _goal(actor: User, case: Referral, title: str) -> Goal:
    return services.goal_add(
        actor=actor,
        referral=case,
        title=title,
        area=GoalArea.QUALIFICATIONS,
        target_date=datetime.date(2026, 12, 1),
    )


@pytest.fixture
def steps(case: Referral, worker_north: User) -> list[Step]:
    goal = _goal(worker_north, case, "Get my CSCS card")
    return [
        services.step_add(actor=worker_north, goal=goal, description=text)
        for text in ("Book the course", "Revise for the test", "Sit the test")
    ]


def _order(goal_id: int) -> list[str]:
    return list(Step.objects.filter(goal_id=goal_id).values_list("description", flat=True))


def test_a_step_swaps_with_its_neighbour(worker_north: User, steps: list[Step]) -> None:
    goal_id = steps[0].goal_id
    services.step_move(actor=worker_north, step=steps[2], up=True)
    assert _order(goal_id) == ["Book the course", "Sit the test", "Revise for the test"]
    services.step_move(actor=worker_north, step=steps[0], up=False)
    assert _order(goal_id) == ["Sit the test", "Book the course", "Revise for the test"]
    assert sorted(Step.objects.filter(goal_id=goal_id).values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    events = AuditEvent.objects.filter(action="step.moved").order_by("id")
    assert [e.summary for e in events] == [
        "Step moved up in a goal",
        "Step moved down in a goal",
    ]
    assert all(e.subject_id == steps[0].goal.plan.referral.participant_id for e in events)


def test_the_ends_are_refused(worker_north: User, steps: list[Step]) -> None:
    with pytest.raises(RuleBroken, match="already the first"):
        services.step_move(actor=worker_north, step=steps[0], up=True)
    with pytest.raises(RuleBroken, match="already the last"):
        services.step_move(actor=worker_north, step=steps[2], up=False)
    assert not AuditEvent.objects.filter(action="step.moved").exists()


def test_a_step_moves_only_inside_its_goal(
    case: Referral, worker_north: User, steps: list[Step]
) -> None:
    other = _goal(worker_north, case, "Open a bank account")
    first = services.step_add(actor=worker_north, goal=other, description="Find ID")
    with pytest.raises(RuleBroken, match="already the first"):
        services.step_move(actor=worker_north, step=first, up=True)
    assert _order(steps[0].goal_id) == ["Book the course", "Revise for the test", "Sit the test"]


def test_steps_of_a_closed_goal_are_not_moved(worker_north: User, steps: list[Step]) -> None:
    services.goal_close(
        actor=worker_north,
        goal=steps[0].goal,
        outcome=GoalStatus.WITHDRAWN,
        on=timezone.localdate(),
        reason="Found work without it",
    )
    with pytest.raises(StateChanged, match="closed"):
        services.step_move(actor=worker_north, step=steps[1], up=True)


def test_only_workers_and_the_manager_in_scope_move_steps(
    personas: dict[str, User], steps: list[Step]
) -> None:
    for role in ("referrer", "worker_south", "commissioner", "outsider"):
        with pytest.raises(NotPermitted):
            services.step_move(actor=personas[role], step=steps[1], up=True)
    services.step_move(actor=personas["manager"], step=steps[1], up=True)


def test_the_plan_page_has_named_buttons_that_move_steps(
    client: Client, case: Referral, worker_north: User, referrer: User, steps: list[Step]
) -> None:
    client.force_login(worker_north)
    url = f"/referrals/{case.pk}/plan/"
    page = client.get(url).content.decode()
    move = f"/referrals/{case.pk}/plan/steps/{{}}/move/"
    assert page.count('value="up"') == 2 and page.count('value="down"') == 2
    assert 'Move up<span class="govuk-visually-hidden"> step 2: Revise for the test' in page
    assert 'Move down<span class="govuk-visually-hidden"> step 1: Book the course' in page
    assert f'action="{move.format(steps[0].pk)}"' in page
    response = client.post(move.format(steps[1].pk), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}#goal-{steps[0].goal_id}"
    assert _order(steps[0].goal_id) == ["Revise for the test", "Book the course", "Sit the test"]
    followed = client.post(move.format(steps[1].pk), {"direction": "up"}, follow=True)
    assert "already the first" in followed.content.decode()
    assert client.get(move.format(steps[1].pk)).status_code == 302  # a GET goes back
    client.force_login(referrer)  # reads the plan, moves nothing
    assert "Move up" not in client.get(url).content.decode()
    assert client.post(move.format(steps[0].pk), {"direction": "down"}).status_code == 404
    assert _order(steps[0].goal_id) == ["Revise for the test", "Book the course", "Sit the test"]
