from __future__ import annotations

import pytest

from pathways.accounts.models import Patch, User
from pathways.participants.models import Participant
from pathways.referrals.tests.factories import make_referral

CRNS = ("A000001", "A000002", "A000003")


@pytest.fixture
def people(referrer: User, north: Patch) -> list[Participant]:
    """Three people referred to the service, with known CRNs."""
    return [make_referral(referrer, crn=crn).participant for crn in CRNS]
