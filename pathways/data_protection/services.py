"""Restricting processing of a person's records (UK GDPR article 18), and lifting it. While
it is set, ``participants.guards.unrestricted`` refuses every change and export."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken
from pathways.participants.models import Participant
from pathways.referrals.access import participants_for


def _locked(actor: User, participant: Participant) -> Participant:
    """The person in the actor's scope, locked for this transaction. Not
    ``referrals.access.locked_participant``: that refuses a restricted person, and lifting
    a restriction must reach one."""
    require(actor, Action.RESTRICT_PROCESSING)
    try:
        return participants_for(actor).select_for_update().get(pk=participant.pk)
    except Participant.DoesNotExist:
        raise NotPermitted("This person is not one you can change.") from None


@transaction.atomic
def participant_restrict(*, actor: User, participant: Participant, reason: str) -> Participant:
    """Restrict processing (UK GDPR article 18): nothing about the person can then be
    changed or exported until the restriction is lifted."""
    locked = _locked(actor, participant)
    if locked.processing_restricted_at is not None:
        raise RuleBroken("Processing of this person's records is already restricted.")
    if not reason.strip():
        raise RuleBroken("Enter why processing is restricted.")
    locked.processing_restricted_at = timezone.now()
    locked.processing_restricted_reason = reason.strip()
    locked.processing_restricted_by = actor
    locked.save(
        update_fields=[
            "processing_restricted_at",
            "processing_restricted_reason",
            "processing_restricted_by",
        ]
    )
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
    locked = _locked(actor, participant)
    if locked.processing_restricted_at is None:
        raise RuleBroken("Processing of this person's records is not restricted.")
    if not reason.strip():
        raise RuleBroken("Enter why the restriction is lifted.")
    locked.processing_restricted_at = None
    locked.processing_restricted_reason = ""
    locked.processing_restricted_by = None
    locked.save(
        update_fields=[
            "processing_restricted_at",
            "processing_restricted_reason",
            "processing_restricted_by",
        ]
    )
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
