"""Employer and opportunity test data, made through the services."""

from __future__ import annotations

import itertools
from typing import Any

from pathways.accounts.models import Patch, User
from pathways.employers import services
from pathways.employers.models import (
    Answer,
    EmployerKind,
    EmployerSize,
    ExclusionPolicy,
    OffenceCategory,
    Opportunity,
    OpportunityKind,
    Requirement,
    Sector,
)
from pathways.employers.models import Employer as EmployerModel

_n = itertools.count(1)


def sector(code: str = "construction") -> Sector:
    return Sector.objects.get(code=code)


def make_employer(actor: User, *, patch: Patch, **overrides: Any) -> EmployerModel:
    data: dict[str, Any] = {
        "name": f"Builder {next(_n)} Ltd",
        "kind": EmployerKind.EMPLOYER,
        "sector": sector(),
        "patch": patch,
        "address": "",
        "size": EmployerSize.SMALL,
        "employs_people_with_convictions": Answer.YES,
        "disclosure_practice": "Asks after an offer.",
        "owner": actor,
    }
    data.update(overrides)
    return services.employer_create(actor=actor, data=data)


def make_opportunity(
    actor: User,
    employer: EmployerModel,
    *,
    requirements: tuple[str, ...] = (),
    excluded: tuple[str, ...] = (),
    **overrides: Any,
) -> Opportunity:
    data: dict[str, Any] = {
        "kind": OpportunityKind.WORK,
        "title": f"Site labourer placement {next(_n)}",
        "sector": sector(),
        "places_available": 2,
        "patch": employer.patch,
        "location": "Stoke-on-Trent",
        "start_date": None,
        "closing_date": None,
        "hours": "",
        "pay": "",
        "dbs_level": "none",
        "exclusion_policy": ExclusionPolicy.CATEGORIES if excluded else ExclusionPolicy.NONE,
        "exclusion_details": "",
    }
    data.update(overrides)
    return services.opportunity_create(
        actor=actor,
        employer=employer,
        data=data,
        requirements=list(Requirement.objects.filter(code__in=requirements)),
        excluded_categories=list(OffenceCategory.objects.filter(code__in=excluded)),
    )
