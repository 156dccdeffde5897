"""Placement fixtures: an employer and opportunity in the North patch, and a person
receiving support there, allocated to the North worker, with a construction profile."""

from __future__ import annotations

import pytest

from pathways.accounts.models import Patch, User
from pathways.employers.models import Employer, Opportunity
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.participants.models import Participant
from pathways.placements.tests.factories import make_profile
from pathways.referrals import services as referral_services
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_active


@pytest.fixture
def employer(worker_north: User, north: Patch) -> Employer:
    return make_employer(worker_north, patch=north)


@pytest.fixture
def opportunity(worker_north: User, employer: Employer) -> Opportunity:
    return make_opportunity(worker_north, employer, places_available=2)


@pytest.fixture
def active(referrer: User, manager: User, worker_north: User, north: Patch) -> Referral:
    referral = make_active(referrer, manager, area=north.areas.get())
    referral_services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    return referral


@pytest.fixture
def person(active: Referral, worker_north: User) -> Participant:
    make_profile(worker_north, active.participant)
    return active.participant
