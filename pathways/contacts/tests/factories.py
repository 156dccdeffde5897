"""Contacts made straight in the database, dated as a test needs (the services date them now)."""

from __future__ import annotations

import datetime

from pathways.accounts.models import User
from pathways.contacts.models import Contact, Mode
from pathways.referrals.models import Referral


def past_contact(
    referral: Referral, when: datetime.datetime, booked_by: User, *, happened: bool = True
) -> Contact:
    """A 30-minute phone contact at ``when``, its outcome recorded then."""
    return Contact.objects.create(
        referral=referral,
        starts_at=when,
        mode=Mode.PHONE,
        duration_minutes=30,
        booked_by=booked_by,
        created_at=when,
        outcome_recorded_at=when,
        happened=happened,
    )
