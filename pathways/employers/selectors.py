"""Reads of employers and opportunities: service-wide records, scoped by employers.access.
Lists of opportunities show their status, so they are read in placements.selectors."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pathways.accounts.models import Patch, User
from pathways.core.reference import in_use
from pathways.core.roles import Role
from pathways.employers.access import employers_for, opportunities_for
from pathways.employers.models import (
    Employer,
    OffenceCategory,
    Opportunity,
    Requirement,
    Sector,
)


def employer_list_for(user: User) -> QuerySet[Employer]:
    return (
        employers_for(user)
        .select_related("sector", "patch", "owner")
        .annotate(opportunity_count=Count("opportunities"))
        .order_by("name", "id")
    )


def employer_get_for(user: User, pk: int) -> Employer | None:
    """One employer of the user's service (not personal data: no view audit)."""
    return employers_for(user).select_related("sector", "patch", "owner").filter(pk=pk).first()


def opportunity_get_for(user: User, pk: int) -> Opportunity | None:
    """One opportunity of the user's service, without its status (which needs the places
    taken: ``placements.selectors.opportunity_with_status_for``)."""
    return (
        opportunities_for(user)
        .select_related("employer", "sector", "patch", "created_by")
        .prefetch_related("requirements", "excluded_categories")
        .filter(pk=pk)
        .first()
    )


def patches_for(user: User) -> QuerySet[Patch]:
    return Patch.objects.filter(service=user.service).filter(in_use()).order_by("name")


def owners_for(user: User) -> QuerySet[User]:
    """Who can own an employer: the service's active workers and manager."""
    return User.objects.filter(
        service=user.service, is_active=True, role__in=[Role.WORKER, Role.MANAGER]
    ).order_by("first_name", "last_name")


def sectors() -> QuerySet[Sector]:
    return Sector.objects.filter(in_use())


def requirements() -> QuerySet[Requirement]:
    return Requirement.objects.filter(in_use())


def offence_categories() -> QuerySet[OffenceCategory]:
    return OffenceCategory.objects.filter(in_use())
