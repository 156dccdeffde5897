"""Placements are personal data: a placement follows the referral it belongs to, so a
referrer sees the placements of their own referrals and a worker those of people in their
scope (the referral scope is ``referrals/access.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from pathways.placements.models import Placement
from pathways.placements.status import PlacementQuerySet
from pathways.referrals.access import referral_scope, referrals_for


def placements_for(user: Any) -> PlacementQuerySet:
    """Placements of the referrals in the user's scope."""
    if referral_scope(user) is None:
        return Placement.objects.none()
    return Placement.objects.filter(Exists(referrals_for(user).filter(pk=OuterRef("referral_id"))))
