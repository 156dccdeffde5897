"""Reads of placements, matching and sustainment checks. Every read that returns people
or placements starts from referrals.access; measures aggregate in the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.access import Action, can, role_of
from pathways.core.audit import viewed_or_404
from pathways.core.reference import in_use
from pathways.core.roles import Role
from pathways.employers.access import opportunities_for
from pathways.employers.models import Employer, Opportunity, OpportunityKind
from pathways.participants.models import Participant, WorkProfile
from pathways.placements.access import placements_for, sustainment_checks_for
from pathways.placements.matching import (
    OPPORTUNITY_PREFETCH,
    PERSON_PREFETCH,
    Match,
    PersonFacts,
    explain,
    opportunities_fitting_q,
    opportunity_facts,
    participants_fitting,
    person_facts,
)
from pathways.placements.models import (
    Placement,
    PlacementEndReason,
    SustainmentCheck,
    sustainment_due_q,
)
from pathways.placements.opportunities import (
    OpportunityStatus,
    in_status,
    open_opportunities,
    with_status,
)
from pathways.placements.status import PlacementQuerySet, PlacementStatus, status_q
from pathways.referrals.access import participants_for, referrals_for
from pathways.referrals.models import Referral

PLACEMENT_RELATED = ("participant", "opportunity__employer", "opportunity__sector")


def placement_list_for(user: User, *, status: PlacementStatus | None = None) -> PlacementQuerySet:
    """Placements of people in the user's scope, newest first."""
    qs = placements_for(user).with_status().select_related(*PLACEMENT_RELATED)
    if status is not None:
        qs = qs.in_status(status)
    return qs.order_by("-put_forward_at", "-id")


def placement_get_for(user: User, pk: int) -> Placement:
    """One placement in the user's scope, the view audited; else 404 (refusal audited)."""
    scoped = placements_for(user).select_related(
        "participant",
        "referral",
        "put_forward_by",
        "end_reason",
        "opportunity__employer",
        "opportunity__sector",
        "opportunity__patch",
    )
    return viewed_or_404(user, scoped, pk, subject_id=lambda p: p.participant_id)


def sustainment_check_get_for(user: User, pk: int) -> SustainmentCheck:
    scoped = sustainment_checks_for(user).select_related(
        "placement__participant", "placement__opportunity__employer"
    )
    return viewed_or_404(user, scoped, pk, subject_id=lambda c: c.placement.participant_id)


def sustainment_checks_due_for(
    user: User, *, today: datetime.date | None = None
) -> QuerySet[SustainmentCheck]:
    """Sustainment checks due or overdue by today, not yet recorded, of job starts of
    people in the user's scope; a worker sees those of their own caseload. Oldest first."""
    day = today or timezone.localdate()
    checks = sustainment_checks_for(user).filter(sustainment_due_q(day))
    if role_of(user) is Role.WORKER:
        checks = checks.filter(placement__referral__worker=user)
    return checks.select_related(
        "placement__participant", "placement__opportunity__employer"
    ).order_by("due_on", "id")


def end_reasons() -> list[PlacementEndReason]:
    return list(PlacementEndReason.objects.filter(in_use()).in_list_order())


# Opportunities with their status (places taken, so placements read them)


def opportunity_list_for(
    user: User,
    *,
    kind: str = "",
    status: OpportunityStatus | None = None,
    employer: Employer | None = None,
) -> QuerySet[Opportunity]:
    qs = (
        with_status(opportunities_for(user))
        .select_related("employer", "sector", "patch")
        .order_by("-created_at", "-id")
    )
    if kind in OpportunityKind.values:
        qs = qs.filter(kind=kind)
    if status is not None:
        qs = in_status(qs, status)
    if employer is not None:
        qs = qs.filter(employer=employer)
    return qs


def opportunity_with_status_for(user: User, pk: int) -> Opportunity | None:
    """One opportunity of the user's service with its places taken and status."""
    return (
        with_status(opportunities_for(user))
        .select_related("employer", "sector", "patch", "created_by")
        .prefetch_related("requirements", "excluded_categories")
        .filter(pk=pk)
        .first()
    )


# Matching


@dataclass(frozen=True)
class Explained:
    """A row of a matching page: the record, and why it fits or not."""

    item: Any
    match: Match


def person_facts_for(participant: Participant) -> PersonFacts:
    """What matching knows of the person (one fetch, for a whole matching page)."""
    person = (
        Participant.objects.select_related("area")
        .prefetch_related(*PERSON_PREFETCH)
        .get(pk=participant.pk)
    )
    return person_facts(person)


def opportunities_matching(user: User, person: PersonFacts) -> QuerySet[Opportunity]:
    """Open opportunities of the user's service, those the person fits first."""
    fits = Case(
        When(opportunities_fitting_q(person), then=Value(True)),
        default=False,
        output_field=BooleanField(),
    )
    return (
        open_opportunities(opportunities_for(user))
        .annotate(fits=fits)
        .select_related("employer", "sector", "patch")
        .prefetch_related(*OPPORTUNITY_PREFETCH)
        .order_by("-fits", "closing_date", "-created_at", "id")
    )


def explain_opportunities(person: PersonFacts, opportunities: Any) -> list[Explained]:
    """Why each opportunity of a page fits the person or not."""
    return [Explained(o, explain(person, opportunity_facts(o))) for o in opportunities]


def participants_matching(user: User, opportunity: Opportunity) -> QuerySet[Participant]:
    """People in the user's scope receiving support from the opportunity's service who
    fit it (filtered in the database), by name."""
    receiving = (
        referrals_for(user)
        .active()
        .filter(participant=OuterRef("pk"), service_id=opportunity.employer.service_id)
    )
    people = participants_for(user).filter(Exists(receiving))
    already = Placement.objects.open().filter(opportunity=opportunity, participant=OuterRef("pk"))
    return (
        participants_fitting(people, opportunity_facts(opportunity))
        .annotate(already=Exists(already))
        .select_related("area__patch")
        .prefetch_related(*PERSON_PREFETCH)
        .order_by("last_name", "first_name", "id")
    )


def explain_participants(opportunity: Opportunity, people: Any) -> list[Explained]:
    facts = opportunity_facts(opportunity)
    return [Explained(p, explain(person_facts(p), facts)) for p in people]


def match_for(participant: Participant, opportunity: Opportunity) -> Match:
    return explain(person_facts_for(participant), opportunity_facts(opportunity))


def work_profile_of(participant: Participant) -> WorkProfile | None:
    return (
        WorkProfile.objects.filter(participant=participant)
        .prefetch_related("offence_categories", "sectors", "holds", "travel_patches")
        .first()
    )


def latest_referral(user: User, participant: Participant) -> Any:
    return referrals_for(user).filter(participant=participant).order_by("-received_at").first()


def participant_section(user: User, participant: Participant) -> dict[str, Any]:
    """The context of the placements section of a person's page (``placements/
    _participant_section.html``): the work profile, their placements, what the user may do.
    Call only with a participant already fetched through ``participant_get_for``."""
    placements = list(
        placements_for(user)
        .filter(participant=participant)
        .with_status()
        .select_related(*PLACEMENT_RELATED)
        .order_by("-put_forward_at", "-id")[:50]
    )
    return {
        "work_profile": work_profile_of(participant),
        "person_placements": placements,
        "can_manage_placements": can(user, Action.MANAGE_PLACEMENTS),
        "can_edit_work_profile": can(user, Action.EDIT_WORK_PROFILE),
    }


# Measures (definitions in docs/measures.md, "Placements and employers")


def _in_period(field: str, start: datetime.date, end: datetime.date) -> Q:
    """``field`` falls on a day from ``start`` to ``end`` inclusive (local dates)."""
    if field.endswith("_at"):
        return Q(**{f"{field}__date__gte": start, f"{field}__date__lte": end})
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def opportunities_created(
    service: Service, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Opportunities created in the period, by kind (training, work, job)."""
    counts = dict(
        Opportunity.objects.filter(employer__service=service)
        .filter(_in_period("created_at", start, end))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    return {kind: counts.get(kind, 0) for kind in OpportunityKind.values}


def placement_participant_counts(
    service: Service, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Distinct people put forward, starting and completing placements in the period
    (one aggregate query)."""
    qs = Placement.objects.filter(service=service)
    return qs.aggregate(
        put_forward=Count(
            "participant", filter=_in_period("put_forward_at", start, end), distinct=True
        ),
        started=Count("participant", filter=_in_period("started_on", start, end), distinct=True),
        completed=Count(
            "participant", filter=_in_period("completed_on", start, end), distinct=True
        ),
    )


def start_counts(service: Service, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The starts the cost per outcome divides by, counted from people's records: episodes
    started, placements started and job starts in the period (local dates, inclusive)."""
    started = Referral.objects.filter(
        service=service, started_at__date__gte=start, started_at__date__lte=end
    ).count()
    placements = Placement.objects.filter(
        service=service, started_on__gte=start, started_on__lte=end
    ).aggregate(all=Count("id"), jobs=Count("id", filter=Q(opportunity__kind=OpportunityKind.JOB)))
    return {
        "participants_started": started,
        "placements_started": placements["all"],
        "job_starts": placements["jobs"],
    }


def placement_status_counts(user: User) -> dict[str, int]:
    qs = placements_for(user)
    return qs.aggregate(**{s.value: Count("id", filter=status_q(s)) for s in PlacementStatus})
