"""Fixtures of the core tests: the records that fill every URL of the access matrix."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from pathways.accounts.models import Patch, User
from pathways.contacts import services as contacts
from pathways.contacts.models import Mode, OnwardService
from pathways.contacts.services import When
from pathways.employers.models import OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.placements import services as placements
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.plans import services as plans
from pathways.plans.models import GoalArea
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import STARTED, make_referral


@pytest.fixture
def records(
    clock: time_machine.Traveller,
    case: Referral,
    personas: dict[str, User],
    north: Patch,
) -> dict[str, int]:
    """The records that fill every URL (see access_matrix.py); the clock stands at NOW."""
    worker, manager = personas["worker_north"], personas["manager"]
    now = datetime.datetime.now(tz=datetime.UTC)
    clock.move_to(STARTED + datetime.timedelta(days=1))
    awaiting = contacts.contact_book(
        actor=worker,
        referral=case,
        when=When(
            starts_at=STARTED + datetime.timedelta(days=2), mode=Mode.PHONE, duration_minutes=30
        ),
    )
    clock.move_to(now)
    booked = contacts.contact_book(
        actor=worker,
        referral=case,
        when=When(
            starts_at=now + datetime.timedelta(days=5),
            mode=Mode.FACE_TO_FACE,
            duration_minutes=60,
            location="Hanley job centre",
        ),
    )
    goal = plans.goal_add(
        actor=worker,
        referral=case,
        title="Get my CSCS card",
        area=GoalArea.QUALIFICATIONS,
        target_date=(now + datetime.timedelta(days=60)).date(),
    )
    step = plans.step_add(actor=worker, goal=goal, description="Book the course")
    onward = contacts.onward_referral_make(
        actor=worker,
        referral=case,
        kind=OnwardService.HOUSING,
        organisation="Stoke Housing Solutions",
        referred_on=(now - datetime.timedelta(days=3)).date(),
    )
    person = case.participant
    make_profile(worker, person)
    employer = make_employer(worker, patch=north)
    job = make_opportunity(worker, employer, kind=OpportunityKind.JOB)
    placement = put_forward(worker, person, job)
    today = now.date()
    placements.placement_decide(actor=worker, placement=placement, accepted=True, on=today)
    placements.placement_start(actor=worker, placement=placement, on=today)
    check = placement.sustainment_checks.order_by("weeks").first()
    assert check is not None
    opportunity = make_opportunity(worker, employer)
    received = make_referral(personas["referrer"], area=north.areas.get())
    del manager
    return {
        "case": case.pk,
        "received": received.pk,
        "person": person.pk,
        "goal": goal.pk,
        "step": step.pk,
        "awaiting": awaiting.pk,
        "booked": booked.pk,
        "onward": onward.pk,
        "employer": employer.pk,
        "opportunity": opportunity.pk,
        "placement": placement.pk,
        "check": check.pk,
    }
