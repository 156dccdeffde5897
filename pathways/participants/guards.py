"""The check that a person's records may be processed at all (UK GDPR article 18), and the
one way an export of their records is refused or audited."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from pathways.core.audit import AuditKind, audit
from pathways.core.errors import ProcessingRestricted
from pathways.participants.models import Participant


def unrestricted(participant_id: int | None) -> None:
    """The one check that a person's records may be processed (changed or exported):
    refused while the manager has restricted processing (UK GDPR article 18)."""
    if (
        participant_id is not None
        and Participant.objects.filter(
            pk=participant_id, processing_restricted_at__isnull=False
        ).exists()
    ):
        raise ProcessingRestricted


def export_audited(request: HttpRequest, participant: Participant, what: str) -> None:
    """Audit an export of the person's records; refused while processing is restricted."""
    with transaction.atomic():
        unrestricted(participant.pk)
        audit(
            actor=request.user,
            kind=AuditKind.EXPORT,
            action=f"{what}.exported",
            obj=participant,
            subject_id=participant.pk,
            summary=f"{what.replace('_', ' ').capitalize()} exported",
        )


def restricted_page(request: HttpRequest, participant: Participant) -> HttpResponse:
    messages.error(request, ProcessingRestricted().message)
    return redirect("participants:detail", participant.pk)
