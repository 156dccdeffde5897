"""A referral's status, derived in Python and in the database, always agrees."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.accounts.models import User
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus
from pathways.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db

FACTS = ("accepted_at", "declined_at", "started_at", "ended_at", "held_at", "hold_resolved_at")


# Each example makes its own referral, so sharing the persona fixtures is safe.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(present=st.sets(st.sampled_from(FACTS)))
def test_python_and_database_status_agree(referrer: User, north: object, present: set[str]) -> None:
    if "started_at" in present and "accepted_at" not in present:
        present = present | {"accepted_at"}  # the database refuses a start without acceptance
    if {"accepted_at", "declined_at"} <= present:
        present = present - {"declined_at"}  # and refuses accepted-and-declined
    referral = make_referral(referrer)
    now = timezone.now()
    values = {fact: (now if fact in present else None) for fact in FACTS}
    Referral.objects.filter(pk=referral.pk).update(**values)
    row = Referral.objects.with_status().get(pk=referral.pk)
    assert getattr(row, "status_code") == row.status  # noqa: B009 - an annotation
    for status in ReferralStatus:
        assert Referral.objects.in_status(status).filter(pk=row.pk).exists() == (
            row.status == status
        )


def test_status_reads_as_a_person_would_expect(referrer: User, north: object) -> None:
    referral = make_referral(referrer)
    assert referral.status == ReferralStatus.RECEIVED
    referral.accepted_at = timezone.now()
    assert referral.status == ReferralStatus.WAITING
    referral.started_at = referral.accepted_at + datetime.timedelta(days=1)
    assert referral.status == ReferralStatus.ACTIVE
    referral.ended_at = referral.started_at + datetime.timedelta(days=30)
    assert referral.status == ReferralStatus.ENDED


def test_a_held_referral_is_a_possible_duplicate_until_resolved(
    referrer: User, north: object
) -> None:
    referral = make_referral(referrer)
    referral.held_at = timezone.now()
    assert referral.status == ReferralStatus.HELD
    assert referral.is_open
    referral.hold_resolved_at = timezone.now()
    assert referral.status == ReferralStatus.RECEIVED
