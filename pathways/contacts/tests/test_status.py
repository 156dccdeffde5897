"""A contact's status, derived on a row and in the database, always agrees."""

from __future__ import annotations

import datetime
import itertools

import pytest

from pathways.accounts.models import User
from pathways.contacts import services
from pathways.contacts.models import Contact, ContactStatus, Mode
from pathways.contacts.services import When
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _book(actor: User, case: Referral, starts_at: datetime.datetime) -> Contact:
    when = When(starts_at=starts_at, mode=Mode.PHONE, duration_minutes=30, location="")
    return services.contact_book(actor=actor, referral=case, when=when)


def test_status_on_the_row_and_in_the_database_agree(case: Referral, worker_north: User) -> None:
    contact = _book(worker_north, case, NOW + HOUR)
    replacement = _book(worker_north, case, NOW + 2 * HOUR)
    seen = set()
    facts = itertools.product(
        (None, replacement.pk),  # superseded by
        (None, NOW - HOUR),  # outcome recorded at
        (None, True, False),  # happened
        (NOW - HOUR, NOW, NOW + HOUR),  # starts at
    )
    for superseded_by, recorded, happened, starts_at in facts:
        Contact.objects.filter(pk=contact.pk).update(
            superseded_by=superseded_by,
            outcome_recorded_at=recorded,
            happened=happened,
            starts_at=starts_at,
        )
        row = Contact.objects.with_status(NOW).get(pk=contact.pk)
        status = row.status_on(NOW)
        assert getattr(row, "status_code") == status  # noqa: B009 - an annotation
        for each in ContactStatus:
            in_db = Contact.objects.in_status(each, now=NOW).filter(pk=contact.pk).exists()
            assert in_db == (status == each)
        awaiting = Contact.objects.awaiting_feedback(NOW).filter(pk=contact.pk).exists()
        assert awaiting == (status == ContactStatus.AWAITING_FEEDBACK)
        seen.add(status)
    assert seen == set(ContactStatus)
