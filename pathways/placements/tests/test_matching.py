"""Matching: each rule, each requirement and each exclusion; and the rules in the database
agree with the explained rules for any combination (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.accounts.models import Patch, User
from pathways.employers.models import (
    Employer,
    ExclusionPolicy,
    OffenceCategory,
    Opportunity,
    Requirement,
    Sector,
)
from pathways.employers.reference import OFFENCE_CATEGORIES, REQUIREMENTS
from pathways.employers.tests.factories import make_opportunity
from pathways.participants.models import Participant, WorkProfile
from pathways.placements import selectors
from pathways.placements.matching import (
    OpportunityFacts,
    PersonFacts,
    explain,
    opportunities_fitting_q,
    opportunity_facts,
    participants_fitting,
    person_facts,
)
from pathways.placements.tests.factories import make_profile

pytestmark = pytest.mark.django_db


def _fits(person: Participant, opportunity: Opportunity) -> bool:
    return selectors.match_for(person, opportunity).fits


@pytest.mark.parametrize("code", [code for code, _kind, _label in REQUIREMENTS])
def test_each_requirement_must_be_held(
    code: str, worker_north: User, person: Participant, employer: Employer
) -> None:
    opportunity = make_opportunity(worker_north, employer, requirements=(code,))
    assert not _fits(person, opportunity)
    match = selectors.match_for(person, opportunity)
    assert any(not c.ok and c.text.startswith("Does not hold") for c in match.checks)
    make_profile(worker_north, person, holds=(code,))
    assert _fits(person, opportunity)


@pytest.mark.parametrize("code", [code for code, _label in OFFENCE_CATEGORIES])
def test_each_excluded_offence_category_rules_a_person_out(
    code: str, worker_north: User, person: Participant, employer: Employer
) -> None:
    details = "Anything involving weapons" if code == "other" else ""
    opportunity = make_opportunity(
        worker_north, employer, excluded=(code,), exclusion_details=details
    )
    assert _fits(person, opportunity)
    make_profile(worker_north, person, offences=(code,))
    assert not _fits(person, opportunity)
    assert selectors.match_for(person, opportunity).exclusion_applies


def test_case_by_case_fits_with_a_caution(
    worker_north: User, person: Participant, employer: Employer
) -> None:
    make_profile(worker_north, person, offences=("violence",))
    opportunity = make_opportunity(
        worker_north, employer, exclusion_policy=ExclusionPolicy.CASE_BY_CASE
    )
    match = selectors.match_for(person, opportunity)
    assert match.fits and "case by case" in match.caution


def test_place_and_travel(
    worker_north: User, person: Participant, employer: Employer, south: Patch
) -> None:
    opportunity = make_opportunity(worker_north, employer, patch=south)
    assert not _fits(person, opportunity)
    make_profile(worker_north, person, travel=(south,))
    assert _fits(person, opportunity)


def test_sector_interest(worker_north: User, person: Participant, employer: Employer) -> None:
    retail = Sector.objects.get(code="retail")
    opportunity = make_opportunity(worker_north, employer, sector=retail)
    assert not _fits(person, opportunity)
    make_profile(worker_north, person, sectors=("construction", "retail"))
    assert _fits(person, opportunity)


def test_no_profile_fits_nothing_and_says_why(
    worker_north: User, active: object, employer: Employer
) -> None:
    from pathways.referrals.models import Referral

    assert isinstance(active, Referral)
    opportunity = make_opportunity(worker_north, employer)
    match = selectors.match_for(active.participant, opportunity)
    assert not match.fits
    assert "No sector interests recorded for the person" in [c.text for c in match.checks]


def test_matching_pages_list_both_ways(
    worker_north: User, worker_south: User, person: Participant, employer: Employer
) -> None:
    fits = make_opportunity(worker_north, employer)
    misses = make_opportunity(worker_north, employer, requirements=("cscs-card",))
    listed = list(
        selectors.opportunities_matching(worker_north, selectors.person_facts_for(person))
    )
    assert [(o.pk, getattr(o, "fits")) for o in listed]  # noqa: B009 - an annotation
    assert [(o.pk, o.pk == fits.pk) for o in listed] == [(fits.pk, True), (misses.pk, False)]
    assert list(selectors.participants_matching(worker_north, fits)) == [person]
    assert list(selectors.participants_matching(worker_north, misses)) == []
    assert list(selectors.participants_matching(worker_south, fits)) == []  # not in scope


ids = st.frozensets(st.integers(min_value=0, max_value=3), max_size=4)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    own_patch=st.integers(0, 1),
    travel=st.frozensets(st.integers(0, 1)),
    sectors=ids,
    holds=ids,
    offences=ids,
    opp_patch=st.integers(0, 1),
    opp_sector=st.integers(0, 3),
    required=ids,
    policy=st.sampled_from(ExclusionPolicy.values),
    excluded=ids,
)
def test_database_rules_agree_with_the_explained_rules(
    worker_north: User,
    person: Participant,
    employer: Employer,
    north: Patch,
    south: Patch,
    own_patch: int,
    travel: frozenset[int],
    sectors: frozenset[int],
    holds: frozenset[int],
    offences: frozenset[int],
    opp_patch: int,
    opp_sector: int,
    required: frozenset[int],
    policy: str,
    excluded: frozenset[int],
) -> None:
    patches = [north, south]
    all_sectors = list(Sector.objects.order_by("order")[:4])
    all_requirements = list(Requirement.objects.order_by("order")[:4])
    all_offences = list(OffenceCategory.objects.order_by("order")[:4])
    # The person's area is in the North patch; "own patch" South moves them there.
    Participant.objects.filter(pk=person.pk).update(area=patches[own_patch].areas.get())
    profile = WorkProfile.objects.get(participant=person)
    profile.travel_patches.set([patches[i] for i in travel])
    profile.sectors.set([all_sectors[i] for i in sectors])
    profile.holds.set([all_requirements[i] for i in holds])
    profile.offence_categories.set([all_offences[i] for i in offences])
    opportunity = Opportunity.objects.filter(employer=employer).first() or make_opportunity(
        worker_north, employer
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        patch=patches[opp_patch], sector=all_sectors[opp_sector], exclusion_policy=policy
    )
    opportunity.refresh_from_db()
    opportunity.requirements.set([all_requirements[i] for i in required])
    opportunity.excluded_categories.set([all_offences[i] for i in excluded])

    fresh_person = Participant.objects.select_related("area").get(pk=person.pk)
    fresh_opportunity = Opportunity.objects.select_related("patch", "sector").get(pk=opportunity.pk)
    pfacts, ofacts = person_facts(fresh_person), opportunity_facts(fresh_opportunity)
    expected = explain(pfacts, ofacts).fits
    in_db = Opportunity.objects.filter(opportunities_fitting_q(pfacts), pk=opportunity.pk)
    assert in_db.exists() == expected
    people = participants_fitting(Participant.objects.filter(pk=person.pk), ofacts)
    assert people.exists() == expected


def test_explain_says_why_for_each_rule() -> None:
    person = PersonFacts(
        patch_ids=frozenset({1}),
        sector_ids=frozenset({10}),
        holds=frozenset({100}),
        offences=frozenset({7}),
    )
    opportunity = OpportunityFacts(
        patch_id=2,
        patch_name="South",
        sector_id=10,
        sector_label="Construction",
        requirements={100: "CSCS card", 101: "Full UK driving licence"},
        exclusion_policy=ExclusionPolicy.CATEGORIES,
        excluded={7: "Arson", 8: "Violence against the person"},
    )
    match = explain(person, opportunity)
    assert not match.fits
    assert [(c.ok, c.text) for c in match.checks] == [
        (False, "In the South patch, which the person cannot reach"),
        (True, "Construction is one of the person's interests"),
        (True, "Holds: CSCS card"),
        (False, "Does not hold: Full UK driving licence"),
        (False, "Excludes Arson: an offence category of the person"),
    ]
