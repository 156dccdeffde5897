"""Changes to pathway plans and distance-travelled readings.

Each function is atomic, checks the role and scope through ``referrals.access`` (the referral is
locked and must be receiving support), and writes its audit event in the same transaction,
with the person as the subject so that it shows on their timeline.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken, StateChanged
from pathways.core.reference import is_retired
from pathways.plans.models import (
    Goal,
    GoalStatus,
    Instrument,
    PathwayPlan,
    PlanReview,
    Reading,
    ReadingKind,
    ReadingScore,
    Step,
    StepStatus,
)
from pathways.plans.selectors import scores_span, scores_total
from pathways.referrals.access import receiving_support
from pathways.referrals.models import Referral


def _check_day(day: datetime.date, referral: Referral, what: str) -> None:
    """A recorded date is not in the future, nor before support started."""
    if day > timezone.localdate():
        raise RuleBroken(f"The date of the {what} cannot be in the future.")
    assert referral.started_at is not None  # receiving support
    if day < timezone.localdate(referral.started_at):
        raise RuleBroken(f"The date of the {what} cannot be before support started.")


def _plan(actor: User, referral: Referral) -> tuple[Referral, PathwayPlan]:
    """The referral (locked, receiving support) and its plan, started on first use."""
    locked = receiving_support(actor, referral)
    plan, created = PathwayPlan.objects.get_or_create(
        referral=locked, defaults={"created_at": timezone.now(), "created_by": actor}
    )
    if created:
        audit(
            actor=actor,
            kind=AuditKind.CHANGE,
            action="plan.started",
            obj=plan,
            subject_id=locked.participant_id,
            episode_id=locked.pk,
            summary="Pathway plan started",
        )
    return locked, plan


def _changed(actor: User, obj: Any, referral: Referral, action: str, summary: str) -> None:
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action=action,
        obj=obj,
        subject_id=referral.participant_id,
        episode_id=referral.pk,
        summary=summary,
    )


@transaction.atomic
def goal_add(
    *, actor: User, referral: Referral, title: str, area: str, target_date: datetime.date
) -> Goal:
    locked, plan = _plan(actor, referral)
    if target_date < timezone.localdate(locked.started_at):
        raise RuleBroken("The target date cannot be before support started.")
    goal = Goal.objects.create(
        plan=plan,
        title=title.strip(),
        area=area,
        target_date=target_date,
        created_at=timezone.now(),
        created_by=actor,
    )
    _changed(actor, goal, locked, "goal.added", f"Goal added: {goal.get_area_display()}")
    return goal


def _open_goal(actor: User, goal: Goal) -> tuple[Referral, Goal]:
    locked, _plan_row = _plan(actor, goal.plan.referral)
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    if not current.is_open:
        raise StateChanged("This goal has already been closed.")
    return locked, current


@transaction.atomic
def goal_close(
    *, actor: User, goal: Goal, outcome: GoalStatus, on: datetime.date, reason: str = ""
) -> Goal:
    """Record a goal as achieved, or withdrawn with a reason. Nothing is deleted."""
    locked, current = _open_goal(actor, goal)
    _check_day(on, locked, "outcome")
    if outcome == GoalStatus.ACHIEVED:
        current.achieved_on = on
    elif outcome == GoalStatus.WITHDRAWN:
        if not reason.strip():
            raise RuleBroken("Explain why the goal is withdrawn.")
        current.withdrawn_on = on
        current.withdrawn_reason = reason.strip()
    else:
        raise RuleBroken("A goal can only be achieved or withdrawn.")
    current.closed_by = actor
    current.save()
    _changed(actor, current, locked, f"goal.{outcome}", f"Goal {outcome.label.lower()}")
    return current


@transaction.atomic
def step_add(*, actor: User, goal: Goal, description: str) -> Step:
    """Add a step at the end of the goal's steps."""
    locked, current = _open_goal(actor, goal)
    last = current.steps.aggregate(last=Max("position"))["last"] or 0
    step = Step.objects.create(
        goal=current,
        position=last + 1,
        description=description.strip(),
        created_at=timezone.now(),
        created_by=actor,
    )
    _changed(actor, step, locked, "step.added", "Step added to a goal")
    return step


# Which statuses a step may move to from each status. Done and no-longer-needed are final.
STEP_MOVES: dict[StepStatus, tuple[StepStatus, ...]] = {
    StepStatus.NOT_STARTED: (
        StepStatus.IN_PROGRESS,
        StepStatus.DONE,
        StepStatus.NO_LONGER_NEEDED,
    ),
    StepStatus.IN_PROGRESS: (StepStatus.DONE, StepStatus.NO_LONGER_NEEDED),
    StepStatus.DONE: (),
    StepStatus.NO_LONGER_NEEDED: (),
}


@transaction.atomic
def step_update(
    *, actor: User, step: Step, status: StepStatus, on: datetime.date, reason: str = ""
) -> Step:
    locked, _goal = _open_goal(actor, step.goal)
    current = Step.objects.select_for_update().get(pk=step.pk)
    if status not in STEP_MOVES[current.status]:
        raise StateChanged(
            f"This step is {current.status.label.lower()}, so it cannot become "
            f"{status.label.lower()}."
        )
    _check_day(on, locked, "change")
    if status == StepStatus.IN_PROGRESS:
        current.started_on = on
    elif status == StepStatus.DONE:
        current.done_on = on
    else:
        if not reason.strip():
            raise RuleBroken("Explain why the step is no longer needed.")
        current.dropped_on = on
        current.dropped_reason = reason.strip()
    current.save()
    _changed(actor, current, locked, f"step.{status}", f"Step {status.label.lower()}")
    return current


@transaction.atomic
def step_move(*, actor: User, step: Step, up: bool) -> Step:
    """Swap a step with its neighbour in the goal's order (up: with the one before it).
    The goal is locked, so two moves in the same goal at once cannot interleave; positions
    stay unique (the step passes through position 0, which no step holds)."""
    locked, goal = _open_goal(actor, step.goal)
    current = Step.objects.select_for_update().get(pk=step.pk, goal=goal)
    steps = Step.objects.select_for_update().filter(goal=goal)
    neighbour = (
        steps.filter(position__lt=current.position).order_by("-position").first()
        if up
        else steps.filter(position__gt=current.position).order_by("position").first()
    )
    if neighbour is None:
        raise RuleBroken(f"This step is already the {'first' if up else 'last'} of the goal.")
    mine, theirs = current.position, neighbour.position
    current.position = 0
    current.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position"])
    current.position = theirs
    current.save(update_fields=["position"])
    _changed(actor, current, locked, "step.moved", f"Step moved {'up' if up else 'down'} in a goal")
    return current


@transaction.atomic
def review_record(
    *,
    actor: User,
    referral: Referral,
    reviewed_on: datetime.date,
    reason: str,
    what_changed: str,
    next_review_due: datetime.date,
) -> PlanReview:
    locked, plan = _plan(actor, referral)
    _check_day(reviewed_on, locked, "review")
    if next_review_due <= reviewed_on:
        raise RuleBroken("The next review must be due after this review.")
    review = PlanReview.objects.create(
        plan=plan,
        reviewed_on=reviewed_on,
        reason=reason,
        what_changed=what_changed.strip(),
        next_review_due=next_review_due,
        reviewed_by=actor,
        created_at=timezone.now(),
    )
    _changed(actor, review, locked, "plan.reviewed", f"Plan reviewed: {review}")
    return review


def instrument_for(referral: Referral) -> Instrument | None:
    """The instrument every reading of the episode uses: the one of its first reading."""
    first = referral.readings.select_related("instrument").order_by("taken_on", "id").first()
    return first.instrument if first else None


@transaction.atomic
def reading_record(
    *,
    actor: User,
    referral: Referral,
    instrument: Instrument,
    kind: ReadingKind,
    taken_on: datetime.date,
    scores: dict[int, int],
    note: str = "",
) -> Reading:
    """Record a reading: a score for every area of the instrument.

    The first reading of an episode is its intake, and sets the instrument for the rest so
    that first and latest can be compared. After the exit reading no more are taken.
    """
    locked = receiving_support(actor, referral)
    _check_day(taken_on, locked, "reading")
    earlier = list(locked.readings.order_by("taken_on", "id").values("kind", "taken_on"))
    if not earlier and kind != ReadingKind.INTAKE:
        raise RuleBroken("The first reading must be the intake reading.")
    if earlier and kind == ReadingKind.INTAKE:
        raise RuleBroken("The intake reading has already been taken.")
    if any(row["kind"] == ReadingKind.EXIT for row in earlier):
        raise StateChanged("The exit reading has already been taken.")
    if earlier and taken_on < earlier[-1]["taken_on"]:
        raise RuleBroken("A reading cannot be dated before the one taken before it.")
    expected = instrument_for(locked)
    if expected is not None and instrument.pk != expected.pk:
        raise RuleBroken(f"Readings of this person use {expected.name}, as the first one did.")
    if expected is None and is_retired(instrument):
        raise RuleBroken("That instrument is no longer in use.")
    areas = list(instrument.areas.all())
    if {area.pk for area in areas} != set(scores):
        raise RuleBroken("Give a score for every area.")
    for area in areas:
        if not instrument.scale_min <= scores[area.pk] <= instrument.scale_max:
            raise RuleBroken(
                f"Scores for {area.name} must be from {instrument.scale_min} "
                f"to {instrument.scale_max}."
            )
    reading = Reading.objects.create(
        referral=locked,
        instrument=instrument,
        taken_on=taken_on,
        kind=kind,
        note=note.strip(),
        taken_by=actor,
        created_at=timezone.now(),
        # Kept for the distance-travelled figures (``reading_totals_rebuild`` works them
        # out from the scores the same way).
        total=sum(scores[area.pk] for area in areas),
        span=len(areas) * (instrument.scale_max - instrument.scale_min),
    )
    ReadingScore.objects.bulk_create(
        ReadingScore(reading=reading, area=area, score=scores[area.pk]) for area in areas
    )
    _changed(actor, reading, locked, "reading.recorded", f"{reading} recorded")
    return reading


def reading_totals_rebuild() -> int:
    """Work out every reading's kept ``total`` and ``span`` again from its scores, in one
    statement (``manage.py rebuild_reading_totals``: after rows were written around
    ``reading_record``, by SQL or a restore). Returns how many readings there are."""
    return Reading.objects.update(total=scores_total(), span=scores_span())
