"""Placements are personal data: a placement follows the referral it belongs to, so a
referrer sees the placements of their own referrals and a worker those of people in their
scope (the referral scope is ``referrals/access.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from pathways.placements.models import Placement, SustainmentCheck
from pathways.placements.status import PlacementQuerySet
from pathways.referrals.access import referral_scope, referrals_for


def placements_for(user: Any) -> PlacementQuerySet:
    """Placements of the referrals in the user's scope."""
    if referral_scope(user) is None:
        return Placement.objects.none()
    return Placement.objects.filter(Exists(referrals_for(user).filter(pk=OuterRef("referral_id"))))


def sustainment_checks_for(user: Any) -> QuerySet[SustainmentCheck]:
    """Sustainment checks of the placements in the user's scope: those whose placement's
    referral is in it, tested by one EXISTS over referrals alone. Never an EXISTS over
    ``placements_for`` (a subquery over placements and referrals): with a list's joins that
    took the query past PostgreSQL's join_collapse_limit (8), so it joined every service's
    due checks to their people before scoping them (the to-do page, 1.5 to 4.6 times as
    slow with 50 services as with one)."""
    if referral_scope(user) is None:
        return SustainmentCheck.objects.none()
    return SustainmentCheck.objects.filter(
        Exists(referrals_for(user).filter(pk=OuterRef("placement__referral_id")))
    )
