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

from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, QuerySet

from pathways.placements.models import Placement, SustainmentCheck
from pathways.placements.status import PlacementQuerySet
from pathways.referrals.access import (
    referral_scope,
    referrals_for,
    scope_service_id,
    whole_service_id,
)

Rows = TypeVar("Rows", bound=QuerySet[Any])


def _scoped(user: Any, rows: Rows, referral: str) -> Rows:
    """``rows`` (records that carry their referral's service) in the user's scope: a
    manager's, by the service column alone; anyone else's, those whose referral (reached by
    ``referral``) is in it, tested by one EXISTS over referrals, and for a worker the
    column as well."""
    if referral_scope(user) is None:
        return rows.none()
    whole = whole_service_id(user)
    if whole is not None:
        return rows.filter(service_id=whole)
    rows = rows.filter(Exists(referrals_for(user).filter(pk=OuterRef(referral))))
    service = scope_service_id(user)
    return rows if service is None else rows.filter(service_id=service)


def placements_for(user: Any) -> PlacementQuerySet:
    """Placements of the referrals in the user's scope."""
    return _scoped(user, Placement.objects.all(), "referral_id")


def sustainment_checks_for(user: Any) -> QuerySet[SustainmentCheck]:
    """Sustainment checks of the placements in the user's scope, tested by one EXISTS over
    referrals alone, never an EXISTS over ``placements_for`` (a subquery over placements
    and referrals): with a list's joins that took the query past PostgreSQL's
    join_collapse_limit (8), so it joined every service's due checks to their people before
    scoping them (the to-do page, 1.5 to 4.6 times as slow with 50 services as with one)."""
    return _scoped(user, SustainmentCheck.objects.all(), "placement__referral_id")
