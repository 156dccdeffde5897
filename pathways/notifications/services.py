"""Changes about notifications: consent to texts, a user's preferences, and Notify's
delivery receipts. Each is atomic; those about a person are audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken
from pathways.notifications.models import Message, MessageStatus, Preference, TextConsent
from pathways.notifications.templates import TEMPLATES
from pathways.participants.models import Participant

# Notify's statuses in a delivery receipt, and what they make of a message. Any failure is
# final for Notify (it has stopped trying), so it is shown to the administrator.
RECEIPTS = {
    "delivered": MessageStatus.DELIVERED,
    "permanent-failure": MessageStatus.BOUNCED,
    "temporary-failure": MessageStatus.BOUNCED,
    "technical-failure": MessageStatus.BOUNCED,
}


@transaction.atomic
def text_consent_give(
    *, actor: User, participant: Participant, given_on: datetime.date
) -> TextConsent:
    """Record that the person consents to appointment texts from ``given_on``."""
    if given_on > timezone.localdate():
        raise RuleBroken("The date of consent cannot be in the future.")
    if TextConsent.objects.current().filter(participant=participant).exists():
        raise RuleBroken("The person's consent to texts is already recorded.")
    consent = TextConsent.objects.create(
        participant=participant, given_on=given_on, recorded_by=actor
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="text_consent.given",
        obj=consent,
        subject_id=participant.pk,
        summary=f"Consent to appointment texts recorded, from {given_on:%-d %B %Y}",
    )
    return consent


@transaction.atomic
def text_consent_withdraw(
    *, actor: User, participant: Participant, withdrawn_on: datetime.date
) -> TextConsent:
    """Record the withdrawal: no text goes to the person after it, queued ones included."""
    consent = (
        TextConsent.objects.select_for_update().current().filter(participant=participant).first()
    )
    if consent is None:
        raise RuleBroken("The person has not consented to texts.")
    if withdrawn_on < consent.given_on or withdrawn_on > timezone.localdate():
        raise RuleBroken("The date of withdrawal must be between the consent and today.")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_recorded_by = actor
    consent.save(update_fields=["withdrawn_on", "withdrawn_recorded_by"])
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="text_consent.withdrawn",
        obj=consent,
        subject_id=participant.pk,
        summary=f"Consent to appointment texts withdrawn on {withdrawn_on:%-d %B %Y}",
    )
    return consent


@transaction.atomic
def preferences_set(*, user: User, turned_off: set[str]) -> None:
    """The information-only notifications the user does not want. Safety notifications
    cannot be turned off."""
    for key in turned_off:
        template = TEMPLATES.get(key)
        if template is None or template.safety or not template.optional:
            raise RuleBroken("That notification cannot be turned off.")
    Preference.objects.filter(user=user).exclude(template__in=turned_off).delete()
    for key in turned_off:
        Preference.objects.get_or_create(user=user, template=key)


def delivery_receipt(*, notify_id: str, reference: str, status: str) -> bool:
    """Apply Notify's delivery receipt to the message it is about; False if unknown."""
    new = RECEIPTS.get(status)
    if new is None:
        return Message.objects.filter(notify_id=notify_id).exists() if notify_id else False
    found = Message.objects.filter(notify_id=notify_id) if notify_id else Message.objects.none()
    if not found.exists() and reference:
        found = Message.objects.filter(reference=reference)
    updated = found.filter(
        status__in=(MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.SENDING)
    ).update(
        status=new,
        status_at=timezone.now(),
        error="" if new == MessageStatus.DELIVERED else f"Notify: {status}",
    )
    return updated > 0 or found.exists()
