"""Changes to employers and opportunities. Each function is atomic and writes its audit
event in the same transaction. Employers are service records, not personal data, so their
events have no subject person.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.reference import is_retired
from pathways.core.roles import Role
from pathways.employers.access import employers_for, opportunities_for
from pathways.employers.models import (
    Employer,
    EmployerContact,
    Engagement,
    ExclusionPolicy,
    OffenceCategory,
    Opportunity,
    Requirement,
)
from pathways.employers.status import is_closed

EMPLOYER_FIELDS = (
    "name",
    "kind",
    "sector",
    "patch",
    "address",
    "size",
    "employs_people_with_convictions",
    "disclosure_practice",
    "owner",
)
CONTACT_FIELDS = ("name", "role", "phone", "email")
ENGAGEMENT_FIELDS = ("on", "what_happened", "next_step", "next_step_by")
OPPORTUNITY_FIELDS = (
    "kind",
    "title",
    "sector",
    "places_available",
    "patch",
    "location",
    "start_date",
    "closing_date",
    "hours",
    "pay",
    "dbs_level",
    "exclusion_policy",
    "exclusion_details",
)


def _locked_employer(actor: User, employer: Employer) -> Employer:
    try:
        return employers_for(actor).select_for_update().get(pk=employer.pk)
    except Employer.DoesNotExist:
        raise NotPermitted("This employer is not one you can change.") from None


def _check_patch(actor: User, patch: Patch) -> None:
    if patch.service_id != actor.service_id:
        raise RuleBroken("Choose a patch of your service.")


def _check_in_use(*rows: Any) -> None:
    if any(row is not None and is_retired(row) for row in rows):
        raise RuleBroken("A choice you made is no longer in use. Choose another.")


def _check_employer(actor: User, data: dict[str, Any]) -> None:
    _check_patch(actor, data["patch"])
    _check_in_use(data["sector"])
    owner: User = data["owner"]
    if (
        owner.role not in (Role.WORKER, Role.MANAGER)
        or not owner.is_active
        or owner.service_id != actor.service_id
    ):
        raise RuleBroken("Choose a worker of your service to own the employer.")


@transaction.atomic
def employer_create(*, actor: User, data: dict[str, Any]) -> Employer:
    """Record an employer or training provider for the actor's service."""
    require(actor, Action.MANAGE_EMPLOYERS)
    _check_employer(actor, data)
    assert actor.service is not None  # can() holds only for users of a service
    employer = Employer.objects.create(
        service=actor.service,
        created_by=actor,
        created_at=timezone.now(),
        **{name: data[name] for name in EMPLOYER_FIELDS},
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="employer.created",
        obj=employer,
        subject_id=None,
        summary=f"Employer recorded: {employer.name}",
    )
    return employer


@transaction.atomic
def employer_update(*, actor: User, employer: Employer, data: dict[str, Any]) -> Employer:
    require(actor, Action.MANAGE_EMPLOYERS)
    locked = _locked_employer(actor, employer)
    _check_employer(actor, data)
    changed = [name for name in EMPLOYER_FIELDS if getattr(locked, name) != data[name]]
    if not changed:
        raise RuleBroken("You have not changed anything.")
    for name in changed:
        setattr(locked, name, data[name])
    locked.save()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="employer.updated",
        obj=locked,
        subject_id=None,
        summary=f"Employer updated: {locked.name}",
        detail={"fields": changed},
    )
    return locked


@transaction.atomic
def employer_contact_add(
    *, actor: User, employer: Employer, data: dict[str, Any]
) -> EmployerContact:
    require(actor, Action.MANAGE_EMPLOYERS)
    locked = _locked_employer(actor, employer)
    if not (data.get("phone") or data.get("email")):
        raise RuleBroken("Enter a phone number or an email address for the contact.")
    contact = EmployerContact.objects.create(
        employer=locked, added_at=timezone.now(), **{name: data[name] for name in CONTACT_FIELDS}
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="employer.contact_added",
        obj=contact,
        subject_id=None,
        summary=f"Contact added at {locked.name}",
    )
    return contact


@transaction.atomic
def engagement_record(*, actor: User, employer: Employer, data: dict[str, Any]) -> Engagement:
    """Add to the employer's engagement log: what happened, the next step and when."""
    require(actor, Action.MANAGE_EMPLOYERS)
    locked = _locked_employer(actor, employer)
    today = timezone.localdate()
    on: datetime.date = data["on"]
    if on > today:
        raise RuleBroken("The date of the engagement must be today or in the past.")
    if data.get("next_step_by") and not data.get("next_step", "").strip():
        raise RuleBroken("Enter the next step, or leave its date blank.")
    engagement = Engagement.objects.create(
        employer=locked,
        worker=actor,
        recorded_at=timezone.now(),
        **{name: data[name] for name in ENGAGEMENT_FIELDS},
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="employer.engaged",
        obj=engagement,
        subject_id=None,
        summary=f"Engagement with {locked.name} logged",
    )
    return engagement


def _check_opportunity(
    actor: User,
    data: dict[str, Any],
    requirements: Iterable[Requirement],
    excluded: Iterable[OffenceCategory],
) -> None:
    _check_patch(actor, data["patch"])
    _check_in_use(data["sector"], *requirements, *excluded)
    if data["places_available"] < 1:
        raise RuleBroken("An opportunity needs at least one place.")
    excluded = list(excluded)
    if data["exclusion_policy"] == ExclusionPolicy.CATEGORIES:
        if not excluded:
            raise RuleBroken("Select the offence categories the employer excludes.")
        if any(c.code == "other" for c in excluded) and not data["exclusion_details"].strip():
            raise RuleBroken("Give details of the 'Other' offences the employer excludes.")
    start, closing = data.get("start_date"), data.get("closing_date")
    if start and closing and closing > start:
        raise RuleBroken("The closing date must be on or before the start date.")


def opportunity_terms(
    actor: User,
    data: dict[str, Any],
    requirements: Iterable[Requirement],
    excluded_categories: Iterable[OffenceCategory],
) -> tuple[list[Requirement], list[OffenceCategory]]:
    """An opportunity's terms checked, as created or changed (``opportunity_create`` here,
    ``placements.services.opportunity_update``): its requirements and the offence
    categories it excludes (none unless the policy is to exclude categories)."""
    requirements, excluded = list(requirements), list(excluded_categories)
    _check_opportunity(actor, data, requirements, excluded)
    if data["exclusion_policy"] != ExclusionPolicy.CATEGORIES:
        excluded = []
    if data.get("closing_date") and data["closing_date"] < timezone.localdate():
        raise RuleBroken("The closing date must be today or in the future.")
    return requirements, excluded


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    employer: Employer,
    data: dict[str, Any],
    requirements: Iterable[Requirement] = (),
    excluded_categories: Iterable[OffenceCategory] = (),
) -> Opportunity:
    """Open an opportunity. Its creation date is what 'placements created' counts."""
    require(actor, Action.MANAGE_EMPLOYERS)
    locked = _locked_employer(actor, employer)
    requirements, excluded_categories = opportunity_terms(
        actor, data, requirements, excluded_categories
    )
    opportunity = Opportunity.objects.create(
        employer=locked,
        created_by=actor,
        created_at=timezone.now(),
        **{name: data[name] for name in OPPORTUNITY_FIELDS},
    )
    opportunity.requirements.set(requirements)
    opportunity.excluded_categories.set(excluded_categories)
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="opportunity.created",
        obj=opportunity,
        subject_id=None,
        summary=f"{opportunity.get_kind_display()} created: {opportunity.title}",
        detail={"kind": opportunity.kind, "employer_id": locked.pk},
    )
    return opportunity


@transaction.atomic
def opportunity_close(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """Close an opportunity early: nobody more can be put forward to it."""
    require(actor, Action.MANAGE_EMPLOYERS)
    try:
        locked = opportunities_for(actor).select_for_update().get(pk=opportunity.pk)
    except Opportunity.DoesNotExist:
        raise NotPermitted("This opportunity is not one you can change.") from None
    if is_closed(locked):
        raise StateChanged("This opportunity is already closed.")
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="opportunity.closed",
        obj=locked,
        subject_id=None,
        summary=f"Opportunity closed: {locked.title}",
    )
    return locked
