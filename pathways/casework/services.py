"""Writes of a person's equality monitoring answers (kept apart from the case record)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.access import Action
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken
from pathways.participants.models import EqualityRecord, Participant
from pathways.referrals.access import locked_participant

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
