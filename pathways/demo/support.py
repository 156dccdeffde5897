"""Demo support history for one episode: plan, reviews, readings, contacts, referrals on.

Everything goes through the real services with the clock moved to each moment
(clock.py), so the timelines, audit trail and figures are what real use would give.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts import services as contacts
from pathways.contacts.models import Attendance, Mode, NotHappenedReason, OnwardService
from pathways.contacts.services import Outcome, When
from pathways.demo.clock import clock_at, in_working_hours
from pathways.plans import services as plans
from pathways.plans.models import GoalArea, GoalStatus, ReadingKind, ReviewReason, StepStatus
from pathways.plans.selectors import default_instrument
from pathways.referrals.models import Referral

GOALS = [
    (
        "Get my CSCS card",
        GoalArea.QUALIFICATIONS,
        ["Book the health and safety course", "Pass the CITB test", "Apply for the card"],
    ),
    (
        "Two weeks' work experience on a building site",
        GoalArea.WORK_EXPERIENCE,
        ["Write a CV", "Visit a site with my worker", "Start the placement"],
    ),
    (
        "Sort out my bank account and ID",
        GoalArea.STABILITY,
        ["Get a birth certificate copy", "Open a basic bank account"],
    ),
    (
        "Improve my maths to Level 1",
        GoalArea.BASIC_SKILLS,
        ["Do the initial assessment at college", "Go to the weekly class"],
    ),
]
# How contacts are held, in turn: most face to face, some by phone or video.
MODES = [Mode.FACE_TO_FACE, Mode.PHONE, Mode.FACE_TO_FACE, Mode.VIDEO, Mode.FACE_TO_FACE]
MINUTES = {Mode.FACE_TO_FACE: (60, 45), Mode.PHONE: (30, 20), Mode.VIDEO: (45, 30)}
PLACES = ["Hanley job centre", "Pathways office, Stoke", "Newcastle library", "Leek hub"]
NOTES = [
    "Talked through the CSCS test; practised questions together. Agreed next steps.",
    "Worked on the CV and covering letter. Motivated and on time.",
    "Discussed travel to placements; bus pass applied for.",
    "Quieter today; money worries. Gave details of debt advice.",
]


def _scores(instrument: Any, i: int, lift: int) -> dict[int, int]:
    areas = list(instrument.areas.all())
    if lift and i % 6 == 5:
        lift = 0  # some stay where they were
    elif lift and i % 10 == 7:
        lift = -1  # and some slip back
    scores = {}
    for n, area in enumerate(areas):
        base = 2 + (i + n * 3) % 4
        change = lift if (i + n) % 3 else max(lift - 1, 0)
        if i % 7 == 0 and n == 1:
            change = -1  # not everyone moves up in every area
        scores[area.pk] = max(instrument.scale_min, min(instrument.scale_max, base + change))
    return scores


def support_history(
    referral: Referral,
    worker: User,
    i: int,
    until: datetime.datetime,
    *,
    ending: bool = False,
    exit_reading: bool = False,
) -> None:
    """Replay support from the start until ``until``. With ``ending`` the episode ends
    then (the caller ends it), after an exit reading if ``exit_reading``."""
    assert referral.started_at is not None
    start = referral.started_at
    days = (until - start).days

    def day(n: float, hour: int = 10) -> datetime.datetime:
        """``n`` days after the start, at ``hour`` o'clock UK time."""
        local = timezone.localtime(start + datetime.timedelta(days=n))
        return local.replace(hour=hour, minute=0, second=0, microsecond=0)

    def appointment(when: datetime.datetime, k: int, *, earlier: bool = False) -> When:
        """A contact on the working day of ``when``, in working hours, held in the ``k``th
        way (``MODES``), so the days, times and modes vary."""
        mode = MODES[k % len(MODES)]
        return When(
            starts_at=in_working_hours(timezone.localdate(when), k, earlier=earlier),
            mode=mode,
            duration_minutes=MINUTES[mode][k % 2],
            location=PLACES[k % len(PLACES)] if mode == Mode.FACE_TO_FACE else "",
        )

    def on(n: float) -> datetime.date:
        return day(n).date()

    instrument = default_instrument()

    def read(moment: datetime.datetime, kind: ReadingKind, lift: int, note: str = "") -> None:
        if instrument is not None:
            with clock_at(moment):
                plans.reading_record(
                    actor=worker,
                    referral=referral,
                    instrument=instrument,
                    kind=kind,
                    taken_on=timezone.localdate(moment),
                    scores=_scores(instrument, i, lift),
                    note=note,
                )

    if days >= 2:
        read(day(1, 15), ReadingKind.INTAKE, 0, "Agreed with the person at the first meeting.")
    if days < 3:
        return
    goals = []
    for g in range(2 + i % 2):
        title, area, steps = GOALS[(i + g) % len(GOALS)]
        with clock_at(day(2)):
            goal = plans.goal_add(
                actor=worker,
                referral=referral,
                title=title,
                area=area,
                target_date=on(60 + 30 * g),
            )
        goals.append(goal)
        for text in steps:
            with clock_at(day(2)):
                plans.step_add(
                    actor=worker,
                    goal=goal,
                    description=text,
                )
    if days > 8:
        with clock_at(day(7)):
            plans.review_record(
                actor=worker,
                referral=referral,
                reviewed_on=on(7),
                reason=ReviewReason.INITIAL,
                what_changed="Goals agreed with the person; first steps under way.",
                next_review_due=on(35 if i % 4 else 21),
            )
    for review_day, next_due in ((35, 77), (77, 119)):
        if days > review_day + 1 and i % 3 != 0:
            with clock_at(day(review_day)):
                plans.review_record(
                    actor=worker,
                    referral=referral,
                    reviewed_on=on(review_day),
                    reason=ReviewReason.SCHEDULED,
                    what_changed="Progress reviewed with the person; steps updated.",
                    next_review_due=on(next_due),
                )
    # Mentoring contacts: weekly, tapering to fortnightly after eight weeks.
    n = 3
    count = 0
    while n < days - 2:
        count += 1
        missed = count % 6 == 0
        outcome = Outcome(
            happened=not missed,
            attended=Attendance.NO
            if missed
            else (Attendance.LATE if count % 5 == 0 else Attendance.YES),
            not_happened_reason=(
                NotHappenedReason.UNACCEPTABLE if i % 2 else NotHappenedReason.ACCEPTABLE
            )
            if missed
            else "",
            notes=NOTES[(i + count) % len(NOTES)] if not missed else "Did not attend; text sent.",
            tell_referrer=missed and i % 3 == 0,
        )
        # Roughly weekly: a day either side now and then, as diaries allow.
        when = appointment(day(n + (i + count) % 3 - 1), i + count)
        # Recorded once it is over.
        done = when.starts_at + datetime.timedelta(minutes=when.duration_minutes + 30)
        with clock_at(done):
            contacts.contact_record(
                actor=worker,
                referral=referral,
                when=when,
                outcome=outcome,
            )
        n += 7 if n < 56 else 14
    # Steps and goals move on.
    if goals and days > 12:
        first_steps = list(goals[0].steps.all())
        with clock_at(day(10)):
            plans.step_update(
                actor=worker,
                step=first_steps[0],
                status=StepStatus.DONE,
                on=on(10),
            )
        with clock_at(day(11)):
            plans.step_update(
                actor=worker,
                step=first_steps[1],
                status=StepStatus.IN_PROGRESS,
                on=on(11),
            )
    if goals and days > 40 and i % 3 == 1:
        with clock_at(day(40)):
            plans.goal_close(
                actor=worker,
                goal=goals[-1],
                outcome=GoalStatus.ACHIEVED,
                on=on(40),
            )
    if len(goals) > 2 and days > 30:
        with clock_at(day(30)):
            plans.goal_close(
                actor=worker,
                goal=goals[1],
                outcome=GoalStatus.WITHDRAWN,
                on=on(30),
                reason="Changed to a different goal after the review.",
            )
    # Wrap-around support.
    if days > 6 and i % 3 != 2:
        kind = [OnwardService.HOUSING, OnwardService.DEBT, OnwardService.ID_BANK][i % 3]
        with clock_at(day(5)):
            onward = contacts.onward_referral_make(
                actor=worker,
                referral=referral,
                kind=kind,
                organisation=[
                    "Stoke Housing Solutions",
                    "Citizens Advice Staffordshire",
                    "Local bank",
                ][i % 3],
                referred_on=on(5),
                note="Agreed with the person.",
            )
        if days > 25:
            with clock_at(day(25)):
                contacts.onward_referral_outcome(
                    actor=worker,
                    onward=onward,
                    outcome="supported",
                    on=on(25),
                )
    # A review reading once there has been time for change.
    if days > 45:
        read(day(42, 15), ReadingKind.REVIEW, 1)
    if ending:
        if exit_reading:
            read(until - datetime.timedelta(hours=2), ReadingKind.EXIT, 3)
        return
    # Still receiving support: an appointment to come, and some awaiting feedback.
    now = until
    with clock_at(now - datetime.timedelta(days=1)):
        booked = contacts.contact_book(
            actor=worker,
            referral=referral,
            when=appointment(now + datetime.timedelta(days=2 + i % 5), i * 3),
        )
    if i % 4 == 0:
        with clock_at(now - datetime.timedelta(hours=20)):
            contacts.contact_reschedule(
                actor=worker,
                contact=booked,
                starts_at=in_working_hours(
                    timezone.localdate(booked.starts_at) + datetime.timedelta(days=1),
                    i * 3 + 2,
                    later=True,
                ),
                reason="The person starts a course that day.",
            )
    if i % 3 == 0 and days > 5:
        # One to six days ago (a weekend's back to the Friday), not yet recorded.
        ago = datetime.timedelta(days=1 + (i // 3) % 6)
        unrecorded = appointment(now - ago, i + 1, earlier=True)
        with clock_at(unrecorded.starts_at - datetime.timedelta(days=2)):
            contacts.contact_book(actor=worker, referral=referral, when=unrecorded)
