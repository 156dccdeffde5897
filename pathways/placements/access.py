"""Placements are personal data: a placement follows the referral it belongs to, so a
referrer sees the placements of their own referrals and a worker those of people in their
scope (the referral scope is ``referrals/access.py``).

Placements and sustainment checks carry their referral's service, always equal to it: set
only in their ``save`` from the referral (a referral never changes service), filled by the
migration that added it, and tested on every write path. A manager's scope is their whole
service, so their placements and checks are those of that column alone; a worker's (their
patch and caseload) are tested against their referrals and also filtered on the column.
Either way PostgreSQL starts from the service's own rows (indexes ``placement_service_*``
and ``sustainment_service_due``) instead of walking every service's placements by date and
testing each one's referral (the placements page 1.3 to 1.8 times as slow with 50 services
as with one); with the referral test beside the column it misjudged a manager's rows by 50
times and sorted every placement of the service."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from pathways.placements.models import Placement, SustainmentCheck
from pathways.placements.status import PlacementQuerySet
from pathways.referrals.access import (
    referral_scope,
    referrals_for,
    scope_service_id,
    whole_service_id,
)


def placements_for(user: Any) -> PlacementQuerySet:
    """Placements of the referrals in the user's scope: a manager's, those of their
    service's column; anyone else's, tested against their referrals (and the column, for a
    worker)."""
    if referral_scope(user) is None:
        return Placement.objects.none()
    whole = whole_service_id(user)
    if whole is not None:
        return Placement.objects.filter(service_id=whole)
    placements = Placement.objects.filter(
        Exists(referrals_for(user).filter(pk=OuterRef("referral_id")))
    )
    service = scope_service_id(user)
    return placements if service is None else placements.filter(service_id=service)


def sustainment_checks_for(user: Any) -> QuerySet[SustainmentCheck]:
    """Sustainment checks of the placements in the user's scope: a manager's, those of their
    service's column; anyone else's, those whose placement's referral is in it, tested by
    one EXISTS over referrals alone (and the column, for a worker). Never an EXISTS over
    ``placements_for`` (a subquery over placements and referrals): with a list's joins that
    took the query past PostgreSQL's join_collapse_limit (8), so it joined every service's
    due checks to their people before scoping them (the to-do page, 1.5 to 4.6 times as
    slow with 50 services as with one)."""
    if referral_scope(user) is None:
        return SustainmentCheck.objects.none()
    whole = whole_service_id(user)
    if whole is not None:
        return SustainmentCheck.objects.filter(service_id=whole)
    checks = SustainmentCheck.objects.filter(
        Exists(referrals_for(user).filter(pk=OuterRef("placement__referral_id")))
    )
    service = scope_service_id(user)
    return checks if service is None else checks.filter(service_id=service)
