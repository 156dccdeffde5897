"""Checks every service makes before a change: the role may act, and the record is in scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathways.core.access import Action, can, referrals_for
from pathways.core.errors import NotPermitted, StateChanged

if TYPE_CHECKING:
    from pathways.referrals.models import Referral


def require(actor: Any, action: Action) -> None:
    if not can(actor, action):
        raise NotPermitted("Your role does not allow this.")


def locked_referral(actor: Any, referral: Referral) -> Referral:
    """The referral, locked for this transaction, if it is in the actor's scope."""
    from pathways.referrals.models import Referral

    try:
        return referrals_for(actor).select_for_update().get(pk=referral.pk)
    except Referral.DoesNotExist:
        raise NotPermitted("This referral is not one you can change.") from None


def receiving_support(actor: Any, referral: Referral) -> Referral:
    """For support work (plans, readings, contacts): the referral locked, in scope, active."""
    from pathways.referrals.status import ReferralStatus

    require(actor, Action.RECORD_SUPPORT)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.ACTIVE:
        raise StateChanged("This person is not receiving support now, so this cannot be changed.")
    return locked
