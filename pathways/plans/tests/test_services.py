from __future__ import annotations

import datetime

import pytest
import time_machine

from pathways.accounts.models import User
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent, AuditKind
from pathways.plans import services
from pathways.plans.models import (
    Goal,
    GoalArea,
    GoalStatus,
    Instrument,
    PathwayPlan,
    Reading,
    ReadingKind,
    ReviewReason,
    StepStatus,
)
from pathways.plans.selectors import default_instrument
from pathways.referrals import services as referrals
from pathways.referrals.models import EndReason, Referral
from pathways.referrals.tests.factories import LONDON, TODAY

pytestmark = pytest.mark.django_db

D = datetime.date
TARGET = D(2026, 12, 1)


def _goal(
    actor: User,
    case: Referral,
    title: str = "Get my CSCS card",
    target_date: datetime.date = TARGET,
) -> Goal:
    return services.goal_add(
        actor=actor,
        referral=case,
        title=title,
        area=GoalArea.QUALIFICATIONS,
        target_date=target_date,
    )


def _instrument() -> Instrument:
    instrument = default_instrument()
    assert instrument is not None
    return instrument


def _scores(instrument: Instrument, value: int) -> dict[int, int]:
    return {area.pk: value for area in instrument.areas.all()}


def _reading(
    actor: User, case: Referral, kind: ReadingKind, value: int, on: datetime.date = TODAY
) -> Reading:
    instrument = _instrument()
    return services.reading_record(
        actor=actor,
        referral=case,
        instrument=instrument,
        kind=kind,
        taken_on=on,
        scores=_scores(instrument, value),
    )


# Goals and steps


def test_the_first_goal_starts_the_plan_and_both_are_audited(
    case: Referral, worker_north: User
) -> None:
    goal = services.goal_add(
        actor=worker_north,
        referral=case,
        title="  Get my CSCS card ",
        area=GoalArea.QUALIFICATIONS,
        target_date=D(2026, 12, 1),
    )
    _goal(worker_north, case, title="Two weeks on site")
    assert PathwayPlan.objects.filter(referral=case).count() == 1
    assert goal.title == "Get my CSCS card"
    assert goal.status == GoalStatus.OPEN
    actions = list(
        AuditEvent.objects.filter(subject_id=case.participant_id, kind=AuditKind.CHANGE)
        .filter(action__in=["plan.started", "goal.added"])
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["plan.started", "goal.added", "goal.added"]


def test_a_goal_cannot_target_a_date_before_support_started(
    case: Referral, worker_north: User
) -> None:
    with pytest.raises(RuleBroken):
        _goal(worker_north, case, target_date=D(2026, 8, 31))
    assert not PathwayPlan.objects.filter(referral=case).exists()


def test_a_goal_is_achieved_or_withdrawn_with_a_reason_and_never_reopened(
    case: Referral, worker_north: User
) -> None:
    achieved = _goal(worker_north, case)
    withdrawn = _goal(worker_north, case)
    services.goal_close(actor=worker_north, goal=achieved, outcome=GoalStatus.ACHIEVED, on=TODAY)
    with pytest.raises(RuleBroken, match="why"):
        services.goal_close(
            actor=worker_north, goal=withdrawn, outcome=GoalStatus.WITHDRAWN, on=TODAY
        )
    closed = services.goal_close(
        actor=worker_north,
        goal=withdrawn,
        outcome=GoalStatus.WITHDRAWN,
        on=TODAY,
        reason="Now working towards a forklift licence instead",
    )
    assert closed.status == GoalStatus.WITHDRAWN
    assert closed.closed_by == worker_north
    with pytest.raises(StateChanged):
        services.goal_close(
            actor=worker_north, goal=achieved, outcome=GoalStatus.WITHDRAWN, on=TODAY, reason="x"
        )


@pytest.mark.parametrize(
    ("day", "allowed"),
    [(D(2026, 10, 2), False), (D(2026, 8, 31), False), (D(2026, 9, 1), True), (TODAY, True)],
)
def test_outcome_dates_lie_between_the_start_and_today(
    case: Referral, worker_north: User, day: datetime.date, allowed: bool
) -> None:
    goal = _goal(worker_north, case)
    if allowed:
        services.goal_close(actor=worker_north, goal=goal, outcome=GoalStatus.ACHIEVED, on=day)
    else:
        with pytest.raises(RuleBroken):
            services.goal_close(actor=worker_north, goal=goal, outcome=GoalStatus.ACHIEVED, on=day)


def test_steps_are_numbered_in_order_and_move_forward_only(
    case: Referral, worker_north: User
) -> None:
    goal = _goal(worker_north, case)
    steps = [
        services.step_add(actor=worker_north, goal=goal, description=text)
        for text in ("Book the course", "Pass the test", "Apply for the card")
    ]
    assert [s.position for s in steps] == [1, 2, 3]
    first = services.step_update(
        actor=worker_north, step=steps[0], status=StepStatus.IN_PROGRESS, on=TODAY
    )
    assert first.status == StepStatus.IN_PROGRESS
    first = services.step_update(actor=worker_north, step=first, status=StepStatus.DONE, on=TODAY)
    assert first.status == StepStatus.DONE
    with pytest.raises(StateChanged):
        services.step_update(
            actor=worker_north, step=first, status=StepStatus.IN_PROGRESS, on=TODAY
        )
    with pytest.raises(RuleBroken, match="no longer needed"):
        services.step_update(
            actor=worker_north, step=steps[1], status=StepStatus.NO_LONGER_NEEDED, on=TODAY
        )
    dropped = services.step_update(
        actor=worker_north,
        step=steps[1],
        status=StepStatus.NO_LONGER_NEEDED,
        on=TODAY,
        reason="Already has the card",
    )
    assert dropped.status == StepStatus.NO_LONGER_NEEDED
    assert dropped.dropped_reason == "Already has the card"


def test_no_steps_on_a_closed_goal(case: Referral, worker_north: User) -> None:
    goal = _goal(worker_north, case)
    services.goal_close(actor=worker_north, goal=goal, outcome=GoalStatus.ACHIEVED, on=TODAY)
    with pytest.raises(StateChanged):
        services.step_add(actor=worker_north, goal=goal, description="One more")


# Reviews


def test_a_review_sets_the_next_one_after_it(case: Referral, worker_north: User) -> None:
    review = services.review_record(
        actor=worker_north,
        referral=case,
        reviewed_on=TODAY,
        reason=ReviewReason.INITIAL,
        what_changed="Goals agreed",
        next_review_due=D(2026, 11, 1),
    )
    assert review.plan.referral == case
    with pytest.raises(RuleBroken, match="after"):
        services.review_record(
            actor=worker_north,
            referral=case,
            reviewed_on=TODAY,
            reason=ReviewReason.SCHEDULED,
            what_changed="x",
            next_review_due=TODAY,
        )
    with pytest.raises(RuleBroken, match="future"):
        services.review_record(
            actor=worker_north,
            referral=case,
            reviewed_on=D(2026, 10, 2),
            reason=ReviewReason.SCHEDULED,
            what_changed="x",
            next_review_due=D(2026, 11, 2),
        )


# Who may change a plan


@pytest.mark.parametrize("who", ["referrer", "worker_south", "commissioner", "outsider"])
def test_only_the_workers_and_manager_in_scope_change_plans(
    case: Referral, personas: dict[str, User], who: str
) -> None:
    with pytest.raises(NotPermitted):
        _goal(personas[who], case)
    assert not PathwayPlan.objects.exists()


def test_the_manager_may_change_a_plan(case: Referral, manager: User) -> None:
    assert _goal(manager, case)


def test_nothing_changes_after_support_ends(case: Referral, manager: User) -> None:
    goal = _goal(manager, case)
    referrals.referral_end(
        actor=manager,
        referral=case,
        reason=EndReason.objects.get(code="sustained-work"),
        closing_summary="Into work",
    )
    with pytest.raises(StateChanged):
        _goal(manager, case)
    with pytest.raises(StateChanged):
        services.step_add(actor=manager, goal=goal, description="Late step")
    with pytest.raises(StateChanged):
        _reading(manager, case, ReadingKind.INTAKE, 3)


# Readings


def test_the_first_reading_is_the_intake_and_there_is_only_one(
    case: Referral, worker_north: User
) -> None:
    with pytest.raises(RuleBroken, match="first reading"):
        _reading(worker_north, case, ReadingKind.REVIEW, 3)
    _reading(worker_north, case, ReadingKind.INTAKE, 3, on=D(2026, 9, 2))
    with pytest.raises(RuleBroken, match="already"):
        _reading(worker_north, case, ReadingKind.INTAKE, 3)
    _reading(worker_north, case, ReadingKind.REVIEW, 5)
    _reading(worker_north, case, ReadingKind.EXIT, 6)
    with pytest.raises(StateChanged, match="exit"):
        _reading(worker_north, case, ReadingKind.REVIEW, 6)
    assert case.readings.count() == 3


def test_a_reading_is_not_dated_before_the_one_before_it(
    case: Referral, worker_north: User
) -> None:
    _reading(worker_north, case, ReadingKind.INTAKE, 3, on=D(2026, 9, 20))
    with pytest.raises(RuleBroken, match="before"):
        _reading(worker_north, case, ReadingKind.REVIEW, 4, on=D(2026, 9, 19))


@pytest.mark.parametrize("bad", [0, 11, -1])
def test_scores_stay_within_the_scale(case: Referral, worker_north: User, bad: int) -> None:
    instrument = _instrument()
    scores = _scores(instrument, 5)
    scores[next(iter(scores))] = bad
    with pytest.raises(RuleBroken, match="from 1 to 10"):
        services.reading_record(
            actor=worker_north,
            referral=case,
            instrument=instrument,
            kind=ReadingKind.INTAKE,
            taken_on=TODAY,
            scores=scores,
        )
    assert not case.readings.exists()


def test_every_area_is_scored(case: Referral, worker_north: User) -> None:
    instrument = _instrument()
    scores = _scores(instrument, 5)
    scores.pop(next(iter(scores)))
    with pytest.raises(RuleBroken, match="every area"):
        services.reading_record(
            actor=worker_north,
            referral=case,
            instrument=instrument,
            kind=ReadingKind.INTAKE,
            taken_on=TODAY,
            scores=scores,
        )


def test_later_readings_use_the_instrument_of_the_first(case: Referral, worker_north: User) -> None:
    other = Instrument.objects.create(name="Licensed star", scale_min=1, scale_max=10)
    other.areas.create(name="Work", order=1)
    _reading(worker_north, case, ReadingKind.INTAKE, 3)
    with pytest.raises(RuleBroken, match="Pathways work readiness"):
        services.reading_record(
            actor=worker_north,
            referral=case,
            instrument=other,
            kind=ReadingKind.REVIEW,
            taken_on=TODAY,
            scores={other.areas.get().pk: 4},
        )


def test_a_retired_instrument_is_not_offered_for_an_intake(
    case: Referral, worker_north: User
) -> None:
    old = Instrument.objects.create(
        name="Old scale", scale_min=0, scale_max=5, retired_at=D(2026, 1, 1)
    )
    area = old.areas.create(name="Work", order=1)
    with pytest.raises(RuleBroken, match="no longer in use"):
        services.reading_record(
            actor=worker_north,
            referral=case,
            instrument=old,
            kind=ReadingKind.INTAKE,
            taken_on=TODAY,
            scores={area.pk: 3},
        )


def test_a_reading_is_audited_on_the_persons_timeline(case: Referral, worker_north: User) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 11, tzinfo=LONDON), tick=False):
        reading = _reading(worker_north, case, ReadingKind.INTAKE, 4)
    event = AuditEvent.objects.get(action="reading.recorded")
    assert event.subject_id == case.participant_id
    assert event.object_id == str(reading.pk)
    assert event.actor == worker_north
