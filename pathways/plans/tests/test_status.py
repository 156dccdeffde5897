"""A goal's and a step's status, derived on a row and in the database, always agree."""

from __future__ import annotations

import datetime
import itertools

import pytest

from pathways.accounts.models import User
from pathways.plans import services
from pathways.plans.models import Goal, GoalArea, GoalStatus, Step, StepStatus
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import TODAY

pytestmark = pytest.mark.django_db


def _goal(actor: User, case: Referral) -> Goal:
    return services.goal_add(
        actor=actor,
        referral=case,
        title="Get my CSCS card",
        area=GoalArea.QUALIFICATIONS,
        target_date=TODAY + datetime.timedelta(days=60),
    )


def test_goal_status_on_the_row_and_in_the_database_agree(
    case: Referral, worker_north: User
) -> None:
    goal = _goal(worker_north, case)
    seen = set()
    for achieved, withdrawn in itertools.product((None, TODAY), repeat=2):
        Goal.objects.filter(pk=goal.pk).update(achieved_on=achieved, withdrawn_on=withdrawn)
        row = Goal.objects.with_status().get(pk=goal.pk)
        assert getattr(row, "status_code") == row.status  # noqa: B009 - an annotation
        for status in GoalStatus:
            assert Goal.objects.in_status(status).filter(pk=goal.pk).exists() == (
                row.status == status
            )
        seen.add(row.status)
    assert seen == set(GoalStatus)


def test_step_status_on_the_row_and_in_the_database_agree(
    case: Referral, worker_north: User
) -> None:
    step = services.step_add(
        actor=worker_north, goal=_goal(worker_north, case), description="Book the course"
    )
    seen = set()
    for started, done, dropped in itertools.product((None, TODAY), repeat=3):
        Step.objects.filter(pk=step.pk).update(started_on=started, done_on=done, dropped_on=dropped)
        row = Step.objects.with_status().get(pk=step.pk)
        assert getattr(row, "status_code") == row.status  # noqa: B009 - an annotation
        for status in StepStatus:
            assert Step.objects.in_status(status).filter(pk=step.pk).exists() == (
                row.status == status
            )
        seen.add(row.status)
    assert seen == set(StepStatus)
