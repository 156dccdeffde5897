"""Reads of a person's equality monitoring answers (kept apart from the case record, so
apart from ``selectors.py`` too). The answers are shown only to the roles that record them
(workers and the manager); everyone else sees counts in the equality report."""

from __future__ import annotations

from pathways.accounts.models import User
from pathways.core.access import Action, can
from pathways.core.audit import AuditKind, audit
from pathways.participants.models import EqualityRecord, Participant
from pathways.referrals.people import participant_get_for


def equality_record_get_for(user: User, pk: int) -> tuple[Participant, EqualityRecord | None]:
    """A person in the user's scope and their equality answers, the view audited (the
    person viewed, and the answers viewed when there are any); else 404 (audited)."""
    participant = participant_get_for(user, pk)
    record = EqualityRecord.objects.filter(participant=participant).first()
    if record is not None:
        audit(
            actor=user,
            kind=AuditKind.VIEW,
            action="equality_record.viewed",
            obj=record,
            subject_id=participant.pk,
        )
    return participant, record


def equality_section(user: User, participant: Participant) -> dict[str, object]:
    """The context of ``participants/_equality_section.html`` on a person's page: whether
    answers are recorded (never what they are), for the roles that record them."""
    if not can(user, Action.RECORD_EQUALITY):
        return {"equality_shown": False}
    return {
        "equality_shown": True,
        "equality_recorded": EqualityRecord.objects.filter(participant=participant).exists(),
    }
