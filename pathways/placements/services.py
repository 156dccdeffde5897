"""Changes to work profiles, placements, sustainment checks, and to an opportunity (whose
places the placements take). Each function is atomic,
writes its audit event (with the person as subject, so it shows on their timeline) in the
same transaction, and raises a domain error when a rule refuses the change.

Places are never overbooked: a decision that takes a place locks the opportunity row
first (``SELECT ... FOR UPDATE``; SQLite takes its write lock at the start of the
transaction), counts the places taken and refuses if none is left. Rows are locked in one
order (opportunity, then placement). Changing an opportunity takes the same lock, so its
places never drop below those taken.
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
from pathways.employers.access import opportunities_for
from pathways.employers.models import (
    OffenceCategory,
    Opportunity,
    OpportunityKind,
    Requirement,
    Sector,
)
from pathways.employers.services import OPPORTUNITY_FIELDS, opportunity_terms
from pathways.employers.status import is_closed
from pathways.participants.guards import unrestricted
from pathways.participants.models import Participant, WorkProfile
from pathways.placements.access import placements_for
from pathways.placements.matching import explain, opportunity_facts, person_facts
from pathways.placements.models import (
    SUSTAINMENT_WEEKS,
    Placement,
    PlacementEndReason,
    SustainmentCheck,
)
from pathways.placements.opportunities import OpportunityStatus, status_of
from pathways.placements.status import PlacementStatus
from pathways.referrals.access import participants_for, referrals_for
from pathways.referrals.models import Referral, RiskFlag

# A referral's risk flag that says which offence category to suggest on the work profile.
OFFENCE_FROM_RISK_FLAG = {RiskFlag.DRIVING.value: "driving"}


def _no_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise RuleBroken(f"The date {what} must be today or in the past.")


def work_profile_initial(participant: Participant, referral: Referral | None) -> dict[str, Any]:
    """The work profile as it stands, or a first draft from the person's latest referral:
    its risk flags are the restrictions, its risk information the notes, and a driving
    disqualification suggests the driving offence category."""
    profile = WorkProfile.objects.filter(participant=participant).first()
    if profile is not None:
        return {
            "offence_categories": list(profile.offence_categories.all()),
            "restrictions": list(profile.restrictions),
            "restriction_notes": profile.restriction_notes,
            "sectors": list(profile.sectors.all()),
            "holds": list(profile.holds.all()),
            "other_qualifications": profile.other_qualifications,
            "travel_patches": list(profile.travel_patches.all()),
        }
    flags = list(referral.risk_flags) if referral else []
    codes = [OFFENCE_FROM_RISK_FLAG[f] for f in flags if f in OFFENCE_FROM_RISK_FLAG]
    return {
        "offence_categories": list(OffenceCategory.objects.filter(code__in=codes)),
        "restrictions": flags,
        "restriction_notes": referral.risk_information if referral else "",
        "sectors": [],
        "holds": [],
        "other_qualifications": "",
        "travel_patches": [],
    }


@transaction.atomic
def work_profile_save(
    *,
    actor: User,
    participant: Participant,
    offence_categories: list[OffenceCategory],
    restrictions: list[str],
    restriction_notes: str,
    sectors: list[Sector],
    holds: list[Requirement],
    other_qualifications: str,
    travel_patches: list[Patch],
) -> WorkProfile:
    """Create or replace the person's work profile (offences, restrictions, interests,
    cards, licences, qualifications and the patches they can travel to)."""
    require(actor, Action.EDIT_WORK_PROFILE)
    try:
        locked = participants_for(actor).select_for_update().get(pk=participant.pk)
    except Participant.DoesNotExist:
        raise NotPermitted("This person is not one you can change.") from None
    unrestricted(locked.pk)
    if any(is_retired(row) for row in [*offence_categories, *sectors, *holds]):
        raise RuleBroken("A choice you made is no longer in use. Choose another.")
    if any(code not in RiskFlag.values for code in restrictions):
        raise RuleBroken("Choose restrictions from the list.")
    if any(patch.service_id != actor.service_id for patch in travel_patches):
        raise RuleBroken("Choose patches of your service.")
    profile, created = WorkProfile.objects.get_or_create(participant=locked)
    profile.restrictions = list(restrictions)
    profile.restriction_notes = restriction_notes.strip()
    profile.other_qualifications = other_qualifications.strip()
    profile.updated_at = timezone.now()
    profile.updated_by = actor
    profile.save()
    profile.offence_categories.set(offence_categories)
    profile.sectors.set(sectors)
    profile.holds.set(holds)
    profile.travel_patches.set(travel_patches)
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="work_profile.created" if created else "work_profile.updated",
        obj=profile,
        subject_id=locked.pk,
        summary="Work profile recorded" if created else "Work profile updated",
    )
    return profile


def _active_referral(actor: User, participant: Participant, opportunity: Opportunity) -> Referral:
    referral = (
        referrals_for(actor)
        .active()
        .filter(participant=participant, service_id=opportunity.employer.service_id)
        .order_by("-started_at")
        .first()
    )
    if referral is None:
        raise RuleBroken("Only a person receiving support from the service can be put forward.")
    unrestricted(participant.pk)
    return referral


@transaction.atomic
def placement_put_forward(
    *, actor: User, participant: Participant, opportunity: Opportunity, note: str = ""
) -> Placement:
    """Put a person forward to an open opportunity (selected for it).

    Refused when an offence category the employer excludes is one of the person's, or
    when the person already has an open placement on this opportunity.
    """
    require(actor, Action.MANAGE_PLACEMENTS)
    try:
        locked = (
            opportunities_for(actor)
            .select_for_update()
            .select_related("employer", "patch", "sector")
            .get(pk=opportunity.pk)
        )
    except Opportunity.DoesNotExist:
        raise NotPermitted("This opportunity is not one you can use.") from None
    if not participants_for(actor).filter(pk=participant.pk).exists():
        raise NotPermitted("This person is not one you can put forward.")
    referral = _active_referral(actor, participant, locked)
    status = status_of(locked, Placement.objects.places_taken(locked))
    if status != OpportunityStatus.OPEN:
        raise StateChanged(f"This opportunity is {status.label.lower()}.")
    person = Participant.objects.select_related("area").get(pk=participant.pk)
    if explain(person_facts(person), opportunity_facts(locked)).exclusion_applies:
        raise RuleBroken("The employer excludes an offence category of this person.")
    if Placement.objects.filter(opportunity=locked, participant=person).open().exists():
        raise RuleBroken("This person is already put forward to this opportunity.")
    placement = Placement.objects.create(
        referral=referral,
        participant=person,
        opportunity=locked,
        put_forward_at=timezone.now(),
        put_forward_by=actor,
        put_forward_note=note.strip(),
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="placement.put_forward",
        obj=placement,
        subject_id=person.pk,
        summary=f"Put forward for {locked.title} ({locked.employer.name})",
        detail={"opportunity_id": locked.pk, "kind": locked.kind},
    )
    return placement


def _locked(actor: User, placement: Placement) -> Placement:
    try:
        locked = (
            placements_for(actor)
            .select_for_update()
            .select_related("opportunity__employer")
            .get(pk=placement.pk)
        )
    except Placement.DoesNotExist:
        raise NotPermitted("This placement is not one you can change.") from None
    unrestricted(locked.participant_id)
    return locked


def _audit(actor: User, placement: Placement, action: str, summary: str, **detail: Any) -> None:
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action=f"placement.{action}",
        obj=placement,
        subject_id=placement.participant_id,
        summary=f"{summary}: {placement.opportunity.title} ({placement.opportunity.employer.name})",
        detail=detail,
    )


@transaction.atomic
def placement_decide(
    *, actor: User, placement: Placement, accepted: bool, on: datetime.date, note: str = ""
) -> Placement:
    """Record the employer's decision. Acceptance takes a place, so it locks the
    opportunity and is refused when every place is taken."""
    require(actor, Action.MANAGE_PLACEMENTS)
    opportunity = Opportunity.objects.select_for_update().get(pk=placement.opportunity_id)
    locked = _locked(actor, placement)
    if locked.status != PlacementStatus.PUT_FORWARD:
        raise StateChanged("The employer's decision has already been recorded.")
    _no_future(on, "of the decision")
    if on < timezone.localdate(locked.put_forward_at):
        raise RuleBroken("The decision cannot be before the person was put forward.")
    if accepted:
        taken = Placement.objects.places_taken(opportunity)
        if taken >= opportunity.places_available:
            raise RuleBroken(
                f"All {opportunity.places_available} places on this opportunity are taken."
            )
        locked.accepted_on = on
    else:
        locked.declined_on = on
    locked.decision_note = note.strip()
    locked.save()
    _audit(
        actor,
        locked,
        "accepted" if accepted else "declined",
        "Accepted by the employer" if accepted else "Not accepted by the employer",
    )
    return locked


@transaction.atomic
def placement_start(*, actor: User, placement: Placement, on: datetime.date) -> Placement:
    """Record the start. A job start gets its sustainment checks at 4, 13 and 26 weeks."""
    require(actor, Action.MANAGE_PLACEMENTS)
    locked = _locked(actor, placement)
    if locked.status != PlacementStatus.ACCEPTED:
        raise StateChanged("Only a placement the employer accepted can start.")
    _no_future(on, "of the start")
    if on < timezone.localdate(locked.put_forward_at):
        raise RuleBroken("The start cannot be before the person was put forward.")
    locked.started_on = on
    locked.save()
    if locked.opportunity.kind == OpportunityKind.JOB:
        for weeks in SUSTAINMENT_WEEKS:
            # One at a time, through save (which sets the check's service).
            SustainmentCheck.objects.create(
                placement=locked, weeks=weeks, due_on=on + datetime.timedelta(weeks=weeks)
            )
    _audit(actor, locked, "started", "Started", started_on=on.isoformat())
    return locked


@transaction.atomic
def placement_complete(*, actor: User, placement: Placement, on: datetime.date) -> Placement:
    require(actor, Action.MANAGE_PLACEMENTS)
    locked = _locked(actor, placement)
    if locked.status != PlacementStatus.STARTED:
        raise StateChanged("Only a placement in progress can be completed.")
    _no_future(on, "of completion")
    assert locked.started_on is not None
    if on < locked.started_on:
        raise RuleBroken("Completion cannot be before the start.")
    locked.completed_on = on
    locked.save()
    _audit(actor, locked, "completed", "Completed")
    return locked


@transaction.atomic
def placement_end_early(
    *,
    actor: User,
    placement: Placement,
    on: datetime.date,
    reason: PlacementEndReason,
    note: str = "",
) -> Placement:
    """End a placement early (or withdraw before the start), with a grouped reason.
    An accepted placement that ends early frees its place."""
    require(actor, Action.MANAGE_PLACEMENTS)
    locked = _locked(actor, placement)
    if locked.status not in PlacementStatus.open():
        raise StateChanged("This placement has already ended.")
    if is_retired(reason):
        raise RuleBroken("That reason is no longer in use. Choose another.")
    if reason.needs_note and not note.strip():
        raise RuleBroken("Explain why the placement ended.")
    _no_future(on, "the placement ended")
    earliest = locked.started_on or timezone.localdate(locked.put_forward_at)
    if on < earliest:
        raise RuleBroken("The end cannot be before the placement began.")
    was = locked.status
    locked.ended_early_on = on
    locked.end_reason = reason
    locked.end_note = note.strip()
    locked.save()
    summary = "Ended early" if was == PlacementStatus.STARTED else "Withdrawn before start"
    _audit(actor, locked, "ended_early", f"{summary} ({reason.label})", reason=reason.code)
    return locked


@transaction.atomic
def sustainment_check_record(
    *,
    actor: User,
    check: SustainmentCheck,
    checked_on: datetime.date,
    in_work: bool,
    note: str = "",
) -> SustainmentCheck:
    """Record whether the person was in work at a 4, 13 or 26-week check."""
    require(actor, Action.MANAGE_PLACEMENTS)
    placement = _locked(actor, check.placement)
    locked = SustainmentCheck.objects.select_for_update().get(pk=check.pk, placement=placement)
    if locked.checked_on is not None:
        raise StateChanged("This check has already been recorded.")
    _no_future(checked_on, "of the check")
    assert placement.started_on is not None
    if checked_on < placement.started_on:
        raise RuleBroken("The check cannot be before the job started.")
    locked.checked_on = checked_on
    locked.in_work = in_work
    locked.checked_by = actor
    locked.note = note.strip()
    locked.save()
    _audit(
        actor,
        placement,
        "sustainment_checked",
        f"{locked.weeks}-week check: {'in work' if in_work else 'not in work'}",
        weeks=locked.weeks,
        in_work=in_work,
    )
    return locked


# Changing an opportunity: its places are never fewer than the placements take.


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
    require(actor, Action.MANAGE_EMPLOYERS)
    try:
        # Only the opportunity's row (not the employer's, which the scope joins): an
        # acceptance locks the opportunity and then its placement with the employer, so
        # locking the employer here as well could deadlock with it.
        locked = opportunities_for(actor).select_for_update(of=("self",)).get(pk=opportunity.pk)
    except Opportunity.DoesNotExist:
        raise NotPermitted("This opportunity is not one you can change.") from None
    if is_closed(locked):
        raise StateChanged("This opportunity is closed, so it cannot be changed.")
    requirements, excluded_categories = opportunity_terms(
        actor, data, requirements, excluded_categories
    )
    taken = Placement.objects.places_taken(locked)
    if data["places_available"] < taken:
        raise RuleBroken(
            f"{taken} place{'' if taken == 1 else 's'} on this opportunity "
            f"{'is' if taken == 1 else 'are'} already taken, so places available cannot be "
            f"fewer than {taken}."
        )
    changed = [name for name in OPPORTUNITY_FIELDS if getattr(locked, name) != data[name]]
    # The kind decides what a start means (a job start has sustainment checks) and which
    # measure counts the opportunity; it is fixed once anyone has been put forward.
    if "kind" in changed and Placement.objects.filter(opportunity=locked).exists():
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
