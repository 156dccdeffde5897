"""The one scoping rule: which referrals, and so which people, a user may see and change.

Every list, detail, search and export of people starts from ``referrals_for`` or
``participants_for``. A record outside the user's scope is not found (404), never
"forbidden", so its existence is not revealed. Other scopes derive from this one in the
lowest app that knows both entities (placements follow their referral in
``placements/access.py``).

| role         | referrals and people in scope                                      |
| ------------ | ------------------------------------------------------------------- |
| referrer     | the referrals they made, and those people                           |
| worker       | their service's referrals in their patch, and any allocated to them |
| manager      | every referral of their service                                     |
| commissioner | none: aggregate figures only                                        |
| admin        | none by default: users, patches and reference data                  |

The locks below are the checks every change to a referral or a person makes first: the
record is in scope (locked for the transaction) and its processing is not restricted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from pathways.core.access import Action, Role, require, role_of
from pathways.core.errors import NotPermitted, StateChanged
from pathways.participants.guards import unrestricted
from pathways.participants.models import Participant
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralQuerySet, ReferralStatus

__all__ = [
    "locked_participant",
    "locked_referral",
    "participant_for_update",
    "participants_for",
    "receiving_support",
    "referral_scope",
    "referrals_for",
    "scope_service_id",
    "whole_service_id",
]


def referral_scope(user: Any) -> Q | None:
    """The filter on Referral for this user's scope, or None for no records at all."""
    role = role_of(user)
    if role is Role.REFERRER:
        return Q(referred_by=user)
    if role is Role.WORKER and user.service_id:
        return Q(service_id=user.service_id) & (Q(patch_id=user.patch_id) | Q(worker=user))
    if role is Role.MANAGER and user.service_id:
        return Q(service_id=user.service_id)
    return None


def scope_service_id(user: Any) -> int | None:
    """The one service every referral in the user's scope belongs to (a worker's and a
    manager's), or None (a referrer's referrals may be of any service; no scope). Records
    that carry their referral's service (placements) filter on it as well as on
    ``referral_scope``, so a service's lists start from its own rows."""
    role = role_of(user)
    if role in (Role.WORKER, Role.MANAGER) and referral_scope(user) is not None:
        return int(user.service_id)
    return None


def whole_service_id(user: Any) -> int | None:
    """The service whose every referral is the user's scope (a manager's: ``referral_scope``
    is then the service alone), or None. Records that carry their referral's service
    (placements, sustainment checks) are then scoped by that column alone."""
    service = scope_service_id(user)
    if service is not None and referral_scope(user) == Q(service_id=service):
        return service
    return None


def referrals_for(user: Any) -> ReferralQuerySet:
    scope = referral_scope(user)
    if scope is None:
        return Referral.objects.none()
    return Referral.objects.filter(scope)


def participants_for(user: Any) -> QuerySet[Participant]:
    """People with at least one referral in the user's scope."""
    if referral_scope(user) is None:
        return Participant.objects.none()
    return Participant.objects.filter(
        Exists(referrals_for(user).filter(participant=OuterRef("pk")))
    )


def participant_for_update(actor: Any, participant: Participant, action: Action) -> Participant:
    """The person, locked for this transaction, if the role may take ``action`` and the
    person is in the actor's scope, restricted or not (lifting a restriction must reach a
    restricted person)."""
    require(actor, action)
    try:
        return participants_for(actor).select_for_update().get(pk=participant.pk)
    except Participant.DoesNotExist:
        raise NotPermitted("This person is not one you can change.") from None


def locked_participant(actor: Any, participant: Participant, action: Action) -> Participant:
    """For changes to a person's own records (orders, offences, equality answers): the role
    may act, the person is in scope (locked for this transaction) and not restricted."""
    locked = participant_for_update(actor, participant, action)
    unrestricted(locked.pk)
    return locked


def locked_referral(actor: Any, referral: Referral) -> Referral:
    """The referral, locked for this transaction, if it is in the actor's scope and its
    person's processing is not restricted."""
    try:
        locked = referrals_for(actor).select_for_update().get(pk=referral.pk)
    except Referral.DoesNotExist:
        raise NotPermitted("This referral is not one you can change.") from None
    unrestricted(locked.participant_id)
    return locked


def receiving_support(actor: Any, referral: Referral) -> Referral:
    """For support work (plans, readings, contacts): the referral locked, in scope, active."""
    require(actor, Action.RECORD_SUPPORT)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.ACTIVE:
        raise StateChanged("This person is not receiving support now, so this cannot be changed.")
    return locked
