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
from pathways.core.access import Action, can
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


def _require(actor: User, action: Action) -> None:
    if not can(actor, action):
        raise NotPermitted("Your role does not allow this.")


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
    _require(actor, Action.MANAGE_EMPLOYERS)
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
    _require(actor, Action.MANAGE_EMPLOYERS)
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
    _require(actor, Action.MANAGE_EMPLOYERS)
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
    _require(actor, Action.MANAGE_EMPLOYERS)
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


def _terms(
    actor: User,
    data: dict[str, Any],
    requirements: Iterable[Requirement],
    excluded_categories: Iterable[OffenceCategory],
) -> tuple[list[Requirement], list[OffenceCategory]]:
    """An opportunity's terms checked, as created or changed: its requirements and the
    offence categories it excludes (none unless the policy is to exclude categories)."""
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
    _require(actor, Action.MANAGE_EMPLOYERS)
    locked = _locked_employer(actor, employer)
    requirements, excluded_categories = _terms(actor, data, requirements, excluded_categories)
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


def _places_taken(opportunity: Opportunity) -> int:
    from pathways.placements.models import Placement

    return Placement.objects.filter(opportunity=opportunity).taking_place().count()


def _has_placements(opportunity: Opportunity) -> bool:
    from pathways.placements.models import Placement

    return Placement.objects.filter(opportunity=opportunity).exists()


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    data: dict[str, Any],
    requirements: Iterable[Requirement] = (),
    excluded_categories: Iterable[OffenceCategory] = (),
) -> Opportunity:
    """Change an open or filled opportunity. The row is locked first, as an acceptance
    locks it (decision 0003), so places cannot drop below those taken while an acceptance
    is being recorded. The audit event names the fields changed, not their values."""
    _require(actor, Action.MANAGE_EMPLOYERS)
    try:
        # Only the opportunity's row (not the employer's, which the scope joins): an
        # acceptance locks the opportunity and then its placement with the employer, so
        # locking the employer here as well could deadlock with it.
        locked = opportunities_for(actor).select_for_update(of=("self",)).get(pk=opportunity.pk)
    except Opportunity.DoesNotExist:
        raise NotPermitted("This opportunity is not one you can change.") from None
    if is_closed(locked):
        raise StateChanged("This opportunity is closed, so it cannot be changed.")
    requirements, excluded_categories = _terms(actor, data, requirements, excluded_categories)
    taken = _places_taken(locked)
    if data["places_available"] < taken:
        raise RuleBroken(
            f"{taken} place{'' if taken == 1 else 's'} on this opportunity "
            f"{'is' if taken == 1 else 'are'} already taken, so places available cannot be "
            f"fewer than {taken}."
        )
    changed = [name for name in OPPORTUNITY_FIELDS if getattr(locked, name) != data[name]]
    # The kind decides what a start means (a job start has sustainment checks) and which
    # measure counts the opportunity; it is fixed once anyone has been put forward.
    if "kind" in changed and _has_placements(locked):
        raise RuleBroken(
            "People have been put forward to this opportunity, so its type cannot be changed."
        )
    if {r.pk for r in locked.requirements.all()} != {r.pk for r in requirements}:
        changed.append("requirements")
    if {c.pk for c in locked.excluded_categories.all()} != {c.pk for c in excluded_categories}:
        changed.append("excluded_categories")
    if not changed:
        raise RuleBroken("You have not changed anything.")
    for name in OPPORTUNITY_FIELDS:
        setattr(locked, name, data[name])
    locked.save()
    locked.requirements.set(requirements)
    locked.excluded_categories.set(excluded_categories)
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="opportunity.changed",
        obj=locked,
        subject_id=None,
        summary=f"Opportunity changed: {locked.title}",
        detail={"fields": changed},
    )
    return locked


@transaction.atomic
def opportunity_close(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """Close an opportunity early: nobody more can be put forward to it."""
    _require(actor, Action.MANAGE_EMPLOYERS)
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
