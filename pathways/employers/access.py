"""Employers and their opportunities are service-wide records, not personal data: the
workers and the manager of the service see them all; every other role sees none."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pathways.core.access import Role, role_of
from pathways.employers.models import Employer, Opportunity


def _service_wide_scope(user: Any) -> int | None:
    """The service whose employers and opportunities the user works with, if any."""
    if role_of(user) in (Role.WORKER, Role.MANAGER) and user.service_id:
        return int(user.service_id)
    return None


def employers_for(user: Any) -> QuerySet[Employer]:
    service_id = _service_wide_scope(user)
    if service_id is None:
        return Employer.objects.none()
    return Employer.objects.filter(service_id=service_id)


def opportunities_for(user: Any) -> QuerySet[Opportunity]:
    service_id = _service_wide_scope(user)
    if service_id is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(employer__service_id=service_id)
