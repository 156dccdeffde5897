"""Work profiles and placements made through the services."""

from __future__ import annotations

from typing import Any

from pathways.accounts.models import Patch, User
from pathways.employers.models import OffenceCategory, Opportunity, Requirement, Sector
from pathways.participants.models import Participant, WorkProfile
from pathways.placements import services
from pathways.placements.models import Placement


def make_profile(
    actor: User,
    participant: Participant,
    *,
    sectors: tuple[str, ...] = ("construction",),
    holds: tuple[str, ...] = (),
    offences: tuple[str, ...] = (),
    travel: tuple[Patch, ...] = (),
    restrictions: tuple[str, ...] = (),
) -> WorkProfile:
    return services.work_profile_save(
        actor=actor,
        participant=participant,
        offence_categories=list(OffenceCategory.objects.filter(code__in=offences)),
        restrictions=list(restrictions),
        restriction_notes="",
        sectors=list(Sector.objects.filter(code__in=sectors)),
        holds=list(Requirement.objects.filter(code__in=holds)),
        other_qualifications="",
        travel_patches=list(travel),
    )


def put_forward(
    actor: User, participant: Participant, opportunity: Opportunity, **kw: Any
) -> Placement:
    return services.placement_put_forward(
        actor=actor, participant=participant, opportunity=opportunity, **kw
    )
