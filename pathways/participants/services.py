"""Writes about a person that belong to no one episode: equality monitoring, and
restricting processing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken
from pathways.participants.models import EqualityRecord, Participant
from pathways.referrals.access import locked_participant, participants_for

EQUALITY_FIELDS = (
    "sex",
    "gender_same_as_birth",
    "ethnicity",
    "religion",
    "sexual_orientation",
    "disability",
)


@transaction.atomic
def equality_record_save(
    *,
    actor: User,
    participant: Participant,
    sex: str = "",
    gender_same_as_birth: str = "",
    ethnicity: str = "",
    religion: str = "",
    sexual_orientation: str = "",
    disability: str = "",
) -> EqualityRecord:
    """Create or replace the person's equality monitoring answers. Audited without the
    answers themselves: the audit says that they were recorded, not what they are."""
    locked = locked_participant(actor, participant, Action.RECORD_EQUALITY)
    answers = {
        "sex": sex,
        "gender_same_as_birth": gender_same_as_birth,
        "ethnicity": ethnicity,
        "religion": religion,
        "sexual_orientation": sexual_orientation,
        "disability": disability,
    }
    for name, value in answers.items():
        field = EqualityRecord._meta.get_field(name)
        choices = dict(getattr(field, "choices", None) or [])
        if value and value not in choices:
            raise RuleBroken("Choose an answer from the list.")
    record, created = EqualityRecord.objects.get_or_create(participant=locked)
    changed = sorted(name for name, value in answers.items() if getattr(record, name) != value)
    for name, value in answers.items():
        setattr(record, name, value)
    record.updated_at = timezone.now()
    record.updated_by = actor
    record.save()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="equality_record.created" if created else "equality_record.updated",
        obj=record,
        subject_id=locked.pk,
        summary="Equality monitoring recorded" if created else "Equality monitoring updated",
        detail={"fields_changed": changed},
    )
    return record


def _locked(actor: User, participant: Participant) -> Participant:
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
