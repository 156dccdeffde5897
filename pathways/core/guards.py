"""Checks every service makes before a change: the role may act, and the record is in scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathways.core.access import Action, can, participants_for, referrals_for
from pathways.core.errors import NotPermitted, ProcessingRestricted, StateChanged

if TYPE_CHECKING:
    from pathways.participants.models import Participant
    from pathways.referrals.models import Referral


def require(actor: Any, action: Action) -> None:
    if not can(actor, action):
        raise NotPermitted("Your role does not allow this.")


def unrestricted(participant_id: int | None) -> None:
    """The one check that a person's records may be processed (changed or exported):
    refused while the manager has restricted processing (UK GDPR article 18)."""
    from pathways.participants.models import Participant

    if (
        participant_id is not None
        and Participant.objects.filter(
            pk=participant_id, processing_restricted_at__isnull=False
        ).exists()
    ):
        raise ProcessingRestricted


def locked_participant(actor: Any, participant: Participant, action: Action) -> Participant:
    """For changes to a person's own records (orders, offences, equality answers): the role
    may act, the person is in scope (locked for this transaction) and not restricted."""
    from pathways.participants.models import Participant

    require(actor, action)
    try:
        locked = participants_for(actor).select_for_update().get(pk=participant.pk)
    except Participant.DoesNotExist:
        raise NotPermitted("This person is not one you can change.") from None
    unrestricted(locked.pk)
    return locked


def locked_referral(actor: Any, referral: Referral) -> Referral:
    """The referral, locked for this transaction, if it is in the actor's scope and its
    person's processing is not restricted."""
    from pathways.referrals.models import Referral

    try:
        locked = referrals_for(actor).select_for_update().get(pk=referral.pk)
    except Referral.DoesNotExist:
        raise NotPermitted("This referral is not one you can change.") from None
    unrestricted(locked.participant_id)
    return locked


def receiving_support(actor: Any, referral: Referral) -> Referral:
    """For support work (plans, readings, contacts): the referral locked, in scope, active."""
    from pathways.referrals.status import ReferralStatus

    require(actor, Action.RECORD_SUPPORT)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.ACTIVE:
        raise StateChanged("This person is not receiving support now, so this cannot be changed.")
    return locked
