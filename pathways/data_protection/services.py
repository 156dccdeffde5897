"""Restricting processing of a person's records (UK GDPR article 18), and lifting it. While
it is set, ``participants.guards.unrestricted`` refuses every change and export. Both take
the person through ``referrals.access.participant_for_update``, which reaches a restricted
person (``locked_participant`` would refuse one)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.access import Action
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken
from pathways.participants.models import Participant
from pathways.referrals.access import participant_for_update


def _save_restriction(
    person: Participant, *, at: datetime.datetime | None, reason: str, by: User | None
) -> None:
    person.processing_restricted_at = at
    person.processing_restricted_reason = reason
    person.processing_restricted_by = by
    person.save(
        update_fields=[
            "processing_restricted_at",
            "processing_restricted_reason",
            "processing_restricted_by",
        ]
    )


@transaction.atomic
def participant_restrict(*, actor: User, participant: Participant, reason: str) -> Participant:
    """Restrict processing (UK GDPR article 18): nothing about the person can then be
    changed or exported until the restriction is lifted."""
    locked = participant_for_update(actor, participant, Action.RESTRICT_PROCESSING)
    if locked.processing_restricted_at is not None:
        raise RuleBroken("Processing of this person's records is already restricted.")
    if not reason.strip():
        raise RuleBroken("Enter why processing is restricted.")
    _save_restriction(locked, at=timezone.now(), reason=reason.strip(), by=actor)
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="participant.processing_restricted",
        obj=locked,
        subject_id=locked.pk,
        summary="Processing restricted",
    )
    return locked


@transaction.atomic
def participant_unrestrict(*, actor: User, participant: Participant, reason: str) -> Participant:
    """Lift the restriction, saying why (kept in the audit trail)."""
    locked = participant_for_update(actor, participant, Action.RESTRICT_PROCESSING)
    if locked.processing_restricted_at is None:
        raise RuleBroken("Processing of this person's records is not restricted.")
    if not reason.strip():
        raise RuleBroken("Enter why the restriction is lifted.")
    _save_restriction(locked, at=None, reason="", by=None)
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="participant.processing_unrestricted",
        obj=locked,
        subject_id=locked.pk,
        summary="Restriction of processing lifted",
        detail={"reason": reason.strip()[:500]},
    )
    return locked
