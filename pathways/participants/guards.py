"""The check that a person's records may be processed at all."""

from __future__ import annotations

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
