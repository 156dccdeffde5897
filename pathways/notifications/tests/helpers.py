"""Building the events a test needs, through the services, with their commit run."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from pathways.accounts.models import User
from pathways.contacts import services as contacts
from pathways.contacts.models import Attendance, Contact, Mode
from pathways.contacts.services import Outcome, When
from pathways.notifications import services
from pathways.participants.models import Participant
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW

T = TypeVar("T")
MOBILE = "07700 900123"


def committed(capture: Any, action: Callable[[], T]) -> T:
    """Run ``action`` and then its on-commit callbacks (the messages are recorded and
    sent there), as a real request would."""
    with capture(execute=True), transaction.atomic():
        result = action()
    return result


def consenting(participant: Participant, actor: User) -> Participant:
    participant.phone = MOBILE
    participant.save(update_fields=["phone"])
    services.text_consent_give(
        actor=actor, participant=participant, given_on=NOW.date() - datetime.timedelta(days=3)
    )
    return participant


def book(case: Referral, worker: User, hours: float, **kw: Any) -> Contact:
    return contacts.contact_book(
        actor=worker,
        referral=case,
        when=When(
            starts_at=NOW + datetime.timedelta(hours=hours),
            mode=kw.get("mode", Mode.FACE_TO_FACE),
            duration_minutes=60,
            location=kw.get("location", "Hanley Library"),
        ),
    )


def concern(case: Referral, worker: User, notes: str = "Seemed low") -> Contact:
    return contacts.contact_record(
        actor=worker,
        referral=case,
        when=When(
            starts_at=NOW - datetime.timedelta(hours=2),
            mode=Mode.FACE_TO_FACE,
            duration_minutes=30,
            location="Hanley Library",
        ),
        outcome=Outcome(happened=True, attended=Attendance.YES, notes=notes, tell_referrer=True),
    )
