"""Demo employers, opportunities, work profiles and placements, replayed through the
services with the moved clock (clock.py, as referrals.py does for referrals), so every
date and every audit event is the one it would have had. Called once by load_demo, inside
its transaction, after the referrals exist.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.core.roles import Role
from pathways.demo.clock import clock_at
from pathways.employers import services as employer_services
from pathways.employers.models import (
    Employer,
    EmployerKind,
    ExclusionPolicy,
    OffenceCategory,
    Opportunity,
    OpportunityKind,
    Requirement,
    Sector,
)
from pathways.placements import services
from pathways.placements.models import Placement, PlacementEndReason
from pathways.placements.selectors import opportunities_matching, person_facts_for
from pathways.referrals.models import Referral

# (name, kind, sector, patch, size, employs people with convictions, disclosure practice)
EMPLOYERS = [
    (
        "Potteries Groundworks Ltd",
        "employer",
        "construction",
        "North",
        "small",
        "yes",
        "Asks about unspent convictions after an offer; no DBS for site roles.",
    ),
    (
        "Trent Vale Builders",
        "employer",
        "construction",
        "North",
        "micro",
        "yes",
        "Owner talks openly about convictions at interview.",
    ),
    (
        "Stoke Scaffolding Services",
        "employer",
        "construction",
        "North",
        "small",
        "unknown",
        "Basic DBS for all site staff.",
    ),
    ("Moorlands Roofing and Joinery", "employer", "construction", "North", "micro", "yes", ""),
    (
        "Staffordshire Timber Supplies",
        "employer",
        "construction-supply",
        "North",
        "medium",
        "yes",
        "Ban the Box employer: asks only after an offer.",
    ),
    (
        "Newcastle Plant Hire",
        "employer",
        "construction-supply",
        "North",
        "small",
        "no",
        "Basic DBS; drivers need a clean licence.",
    ),
    (
        "North Staffs Construction Skills Centre",
        "training_provider",
        "construction",
        "North",
        "medium",
        "yes",
        "Case by case; no checks for CSCS courses.",
    ),
    (
        "Cannock Civil Engineering",
        "employer",
        "construction",
        "South",
        "large",
        "yes",
        "Basic DBS after offer; excludes arson and sexual offences for occupied sites.",
    ),
    (
        "Tamworth Brick and Block",
        "employer",
        "construction-supply",
        "South",
        "medium",
        "yes",
        "Asks after an offer.",
    ),
    (
        "Lichfield Interiors and Dryline",
        "employer",
        "construction",
        "South",
        "small",
        "unknown",
        "",
    ),
    (
        "Burton Logistics Park",
        "employer",
        "warehousing-logistics",
        "South",
        "large",
        "yes",
        "Basic DBS; forklift licence needed for some roles.",
    ),
    (
        "South Staffs Skills Hub",
        "training_provider",
        "construction",
        "South",
        "small",
        "yes",
        "No checks for training courses.",
    ),
]

# (employer index, kind, title, places, requirements, exclusions, start in days, closing)
OPPORTUNITIES: list[
    tuple[int, str, str, int, tuple[str, ...], tuple[str, ...], int, int | None]
] = [
    (0, "work", "Groundworks labourer work placement", 3, ("cscs-card",), (), 10, 20),
    (0, "job", "Trainee groundworker", 2, ("cscs-card",), (), 30, None),
    (1, "work", "General building work placement", 2, (), ("sexual",), 5, None),
    (2, "job", "Scaffolding labourer", 1, ("cscs-card", "working-at-height"), ("arson",), 20, 25),
    (4, "work", "Yard and warehouse work placement", 2, (), (), 5, None),
    (5, "job", "Plant yard operative", 1, ("driving-licence",), ("driving",), 14, 40),
    (6, "training", "CSCS card course with health and safety level 1", 12, (), (), 20, None),
    (6, "training", "Working at height and scaffolding awareness", 8, ("cscs-card",), (), 30, 60),
    (7, "job", "Site operative", 2, ("cscs-card",), ("arson", "sexual"), 21, None),
    (8, "work", "Brick yard work placement", 2, (), (), 7, None),
    (9, "job", "Dryliner's mate", 1, ("cscs-card",), (), 14, 30),
    (10, "job", "Warehouse operative", 4, (), ("theft-dishonesty",), 10, None),
    (11, "training", "Construction skills taster week", 10, (), (), 14, None),
]


def load(service: Service, users: dict[str, User], *, end: datetime.datetime) -> None:
    """Employers and opportunities from 110 days before ``end``; work profiles for people
    receiving support; placements in every state (put forward, accepted, declined, in
    placement, completed, ended early, withdrawn), with job starts whose sustainment
    checks are recorded or due; and one opportunity filled (every place taken)."""
    start = end - datetime.timedelta(days=110)
    patches = {p.name: p for p in Patch.objects.filter(service=service)}
    workers = {u.patch_id: u for u in users.values() if u.role == Role.WORKER}
    employers = _employers(patches, workers, start)
    opportunities = _opportunities(employers, start)
    people = _profiles(service, workers, start + datetime.timedelta(days=20))
    _placements(opportunities, people, workers, start + datetime.timedelta(days=25), end)
    _fill(opportunities, people, workers, end)


def _employers(
    patches: dict[str, Patch], workers: dict[Any, User], start: datetime.datetime
) -> list[Employer]:
    employers = []
    for i, (name, kind, sector, patch, size, convictions, practice) in enumerate(EMPLOYERS):
        owner = workers[patches[patch].pk]
        when = start + datetime.timedelta(days=i * 2)
        data = {
            "name": name,
            "kind": EmployerKind(kind),
            "sector": Sector.objects.get(code=sector),
            "patch": patches[patch],
            "address": f"Unit {i + 1}, Example Industrial Estate",
            "size": size,
            "employs_people_with_convictions": convictions,
            "disclosure_practice": practice,
            "owner": owner,
        }
        with clock_at(when):
            employer = employer_services.employer_create(actor=owner, data=data)
            employer_services.employer_contact_add(
                actor=owner,
                employer=employer,
                data={
                    "name": f"Contact {i + 1}",
                    "role": "Site manager",
                    "phone": f"01782 000{i:03d}",
                    "email": "",
                },
            )
            if i % 2 == 0:
                day = timezone.localdate()
                employer_services.engagement_record(
                    actor=owner,
                    employer=employer,
                    data={
                        "on": day,
                        "what_happened": "Site visit: talked through placements and how the "
                        "service supports people in work.",
                        "next_step": "Send profiles of people who fit",
                        "next_step_by": day + datetime.timedelta(days=14),
                    },
                )
        employers.append(employer)
    return employers


def _opportunities(employers: list[Employer], start: datetime.datetime) -> list[Opportunity]:
    result = []
    for i, (emp, kind, title, places, needs, excluded, starts, closes) in enumerate(OPPORTUNITIES):
        employer = employers[emp]
        when = start + datetime.timedelta(days=25 + i * 3)
        today = timezone.localdate(when)
        policy = (
            ExclusionPolicy.CATEGORIES
            if excluded
            else ExclusionPolicy.CASE_BY_CASE
            if i % 4 == 1
            else ExclusionPolicy.NONE
        )
        data = {
            "kind": OpportunityKind(kind),
            "title": title,
            "sector": employer.sector,
            "places_available": places,
            "patch": employer.patch,
            "location": f"{employer.patch.name} patch site",
            "start_date": today + datetime.timedelta(days=starts),
            "closing_date": today + datetime.timedelta(days=min(closes, starts))
            if closes
            else None,
            "hours": "8am to 4pm, Monday to Friday" if kind != "training" else "9am to 3pm",
            "pay": "£12.60 an hour" if kind == "job" else "",
            "dbs_level": "basic" if kind == "job" else "none",
            "exclusion_policy": policy,
            "exclusion_details": "",
        }
        with clock_at(when):
            result.append(
                employer_services.opportunity_create(
                    actor=employer.owner,
                    employer=employer,
                    data=data,
                    requirements=list(Requirement.objects.filter(code__in=needs)),
                    excluded_categories=list(OffenceCategory.objects.filter(code__in=excluded)),
                )
            )
    return result


OFFENCE_CYCLE: list[tuple[str, ...]] = [
    (),
    ("theft-dishonesty",),
    ("violence",),
    ("drugs",),
    ("arson",),
    (),
]


def _profiles(
    service: Service, workers: dict[Any, User], when: datetime.datetime
) -> list[Referral]:
    """Work profiles for people receiving support and allocated: most want construction
    work, some hold a CSCS card or a driving licence, and offences vary."""
    active = list(
        Referral.objects.filter(service=service, worker__isnull=False)
        .active()
        .select_related("participant")
        .order_by("started_at", "id")
    )
    for i, referral in enumerate(active):
        wanted = (
            ["construction", "construction-supply"] if i % 5 != 4 else ["warehousing-logistics"]
        )
        held = ["cscs-card"] if i % 3 != 2 else []
        if i % 4 == 0:
            held.append("driving-licence")
        with clock_at(when + datetime.timedelta(hours=i)):
            services.work_profile_save(
                actor=workers[referral.patch_id],
                participant=referral.participant,
                offence_categories=list(
                    OffenceCategory.objects.filter(code__in=OFFENCE_CYCLE[i % len(OFFENCE_CYCLE)])
                ),
                restrictions=list(referral.risk_flags),
                restriction_notes=referral.risk_information,
                sectors=list(Sector.objects.filter(code__in=wanted)),
                holds=list(Requirement.objects.filter(code__in=held)),
                other_qualifications="",
                travel_patches=[],
            )
    return active


# What happens to each person put forward, in turn.
PLANS = [
    "job_due",
    "completed",
    "started",
    "job",
    "ended",
    "accepted",
    "declined",
    "withdrawn",
    "put_forward",
    "started",
    "completed",
]


def _placements(
    opportunities: list[Opportunity],
    people: list[Referral],
    workers: dict[Any, User],
    begin: datetime.datetime,
    end: datetime.datetime,
) -> None:
    """Put fitting people forward and take placements through every state."""
    plans = iter(PLANS)
    when = begin
    for referral in people:
        worker = workers[referral.patch_id]
        fits = [
            o
            for o in opportunities_matching(worker, person_facts_for(referral.participant))
            if getattr(o, "fits")  # noqa: B009 - an annotation
        ]
        plan = next(plans, None)
        if plan is None:
            break
        jobs = plan.startswith("job")
        fits = [o for o in fits if (o.kind == OpportunityKind.JOB) == jobs] or fits
        if not fits:
            continue
        when += datetime.timedelta(days=2)
        with clock_at(when):
            placement = services.placement_put_forward(
                actor=worker,
                participant=referral.participant,
                opportunity=fits[0],
                note="Keen, and fits the employer's requirements.",
            )
        _progress(placement, worker, plan, when, end)


def _progress(
    placement: Placement, worker: User, plan: str, when: datetime.datetime, end: datetime.datetime
) -> None:
    reasons = {r.code: r for r in PlacementEndReason.objects.all()}

    def at(days: int) -> datetime.datetime:
        return min(when + datetime.timedelta(days=days), end)

    if plan == "put_forward":
        return
    if plan == "withdrawn":
        with clock_at(at(3)):
            services.placement_end_early(
                actor=worker,
                placement=placement,
                on=timezone.localdate(),
                reason=reasons["left-for-other-work"],
            )
        return
    accepted = plan != "declined"
    with clock_at(at(4)):
        services.placement_decide(
            actor=worker,
            placement=placement,
            accepted=accepted,
            on=timezone.localdate(),
            note="Interviewed on site." if accepted else "Wanted someone with more experience.",
        )
    if plan in ("declined", "accepted"):
        return
    with clock_at(at(7)):
        services.placement_start(actor=worker, placement=placement, on=timezone.localdate())
    if plan == "completed":
        with clock_at(at(21)):
            services.placement_complete(actor=worker, placement=placement, on=timezone.localdate())
    elif plan == "ended":
        with clock_at(at(12)):
            services.placement_end_early(
                actor=worker,
                placement=placement,
                on=timezone.localdate(),
                reason=reasons["recall-custody"],
            )
    elif plan == "job":
        first = placement.sustainment_checks.order_by("weeks").first()
        if first is not None and first.due_on <= timezone.localdate(end):
            with clock_at(at(7 + 29)):
                services.sustainment_check_record(
                    actor=worker,
                    check=first,
                    checked_on=timezone.localdate(),
                    in_work=True,
                    note="Phoned the site manager.",
                )


# The opportunity whose places are all taken in the demo, so "filled" shows: rolling (it
# never closes), no requirements and no exclusions, so anyone in its patch can take it.
FILLED = "Yard and warehouse work placement"


def _fill(
    opportunities: list[Opportunity],
    people: list[Referral],
    workers: dict[Any, User],
    end: datetime.datetime,
) -> None:
    """Fill one opportunity through the services: put forward people of its patch who have
    no placement yet, the employer accepts each, and the first starts."""
    opportunity = next(o for o in opportunities if o.title == FILLED)
    worker = workers[opportunity.patch_id]
    taken = Placement.objects.places_taken(opportunity)
    placed = set(Placement.objects.values_list("referral_id", flat=True))
    free = [r for r in people if r.patch_id == opportunity.patch_id and r.pk not in placed]
    when = end - datetime.timedelta(days=20)
    for i, referral in enumerate(free[: max(opportunity.places_available - taken, 0)]):
        with clock_at(when + datetime.timedelta(hours=i)):
            placement = services.placement_put_forward(
                actor=worker,
                participant=referral.participant,
                opportunity=opportunity,
                note="Wants outdoor work; reliable at appointments.",
            )
        _progress(placement, worker, "started" if i == 0 else "accepted", when, end)
