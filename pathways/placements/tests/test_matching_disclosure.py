"""Matching knows what the employer will see: each opportunity's check level decides which
recorded convictions its offence-category exclusions read, and what the person discloses
(docs/disclosure.md); the database rules agree with the explained rules (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.accounts.models import User
from pathways.convictions.models import Conviction, Sentence
from pathways.convictions.services import recompute_spent
from pathways.employers.models import Employer, ExclusionPolicy, OffenceCategory, Opportunity
from pathways.employers.tests.factories import make_opportunity
from pathways.participants.models import Participant
from pathways.placements import selectors
from pathways.placements.matching import (
    ConvictionFacts,
    OpportunityFacts,
    PersonFacts,
    explain,
    opportunities_fitting_q,
    opportunity_facts,
    participants_fitting,
    person_facts,
)
from pathways.rehabilitation.filtering import CheckLevel

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 1)
THEFT = 7


def _person(*convictions: ConvictionFacts, offences: frozenset[int] = frozenset()) -> PersonFacts:
    return PersonFacts(
        patch_ids=frozenset({1}),
        sector_ids=frozenset({1}),
        offences=offences,
        convictions=convictions,
        today=TODAY,
    )


def _opportunity(level: CheckLevel) -> OpportunityFacts:
    return OpportunityFacts(
        patch_id=1,
        patch_name="North",
        sector_id=1,
        sector_label="Construction",
        exclusion_policy=ExclusionPolicy.CATEGORIES,
        excluded={THEFT: "Theft"},
        check_level=level,
    )


UNSPENT = ConvictionFacts(THEFT, dt.date(2027, 1, 1), dt.date(2037, 1, 1))
SPENT = ConvictionFacts(THEFT, dt.date(2020, 1, 1), dt.date(2030, 1, 1))
FILTERED = ConvictionFacts(THEFT, dt.date(2012, 1, 1), dt.date(2022, 1, 1))
NEVER_FILTERED = ConvictionFacts(THEFT, dt.date(2012, 1, 1), None)


@pytest.mark.parametrize(
    ("conviction", "fits_at"),
    [
        (UNSPENT, set()),  # no check: the person must still disclose it if asked
        (SPENT, {CheckLevel.NONE, CheckLevel.BASIC}),
        (FILTERED, set(CheckLevel)),
        (NEVER_FILTERED, {CheckLevel.NONE, CheckLevel.BASIC}),
    ],
    ids=["unspent", "spent", "spent-and-filtered", "spent-never-filtered"],
)
def test_an_exclusion_applies_only_to_convictions_the_check_shows(
    conviction: ConvictionFacts, fits_at: set[CheckLevel]
) -> None:
    for level in CheckLevel:
        assert explain(_person(conviction), _opportunity(level)).fits is (level in fits_at)


def test_recorded_convictions_replace_the_work_profile_categories() -> None:
    # The profile says theft; the only recorded conviction is spent: a basic check
    # shows nothing, so the theft exclusion does not apply.
    assert explain(_person(SPENT, offences=frozenset({THEFT})), _opportunity(CheckLevel.BASIC)).fits
    # With nothing recorded, the work profile's categories apply as before.
    assert not explain(_person(offences=frozenset({THEFT})), _opportunity(CheckLevel.BASIC)).fits


@pytest.mark.parametrize(
    ("convictions", "level", "text"),
    [
        ((), CheckLevel.BASIC, "Basic check: nothing to disclose"),
        ((SPENT,), CheckLevel.BASIC, "Basic check: nothing to disclose"),
        ((UNSPENT,), CheckLevel.BASIC, "Basic check: discloses 1 unspent conviction"),
        (
            (UNSPENT, UNSPENT),
            CheckLevel.ENHANCED,
            "Enhanced check: discloses 2 unspent convictions",
        ),
        ((SPENT,), CheckLevel.STANDARD, "Standard check: spent convictions will show (1)"),
        ((FILTERED,), CheckLevel.ENHANCED, "Enhanced check: nothing to disclose"),
        (
            (UNSPENT, SPENT),
            CheckLevel.STANDARD,
            "Standard check: discloses 1 unspent conviction; spent convictions will show (1)",
        ),
        ((), CheckLevel.NONE, "No criminal record check: nothing to disclose"),
        (
            (UNSPENT,),
            CheckLevel.NONE,
            "No criminal record check: discloses 1 unspent conviction if asked",
        ),
    ],
)
def test_matching_says_what_the_person_discloses(
    convictions: tuple[ConvictionFacts, ...], level: CheckLevel, text: str
) -> None:
    assert explain(_person(*convictions), _opportunity(level)).disclosure == text


def test_the_opportunity_page_reads_its_check_level(
    worker_north: User, person: Participant, employer: Employer
) -> None:
    category = OffenceCategory.objects.order_by("order").first()
    assert category is not None
    opportunity = make_opportunity(worker_north, employer, excluded=(category.code,))
    _convict(person, category, dt.date(2020, 1, 1))  # a fine: spent on 1 January 2021
    assert selectors.match_for(person, opportunity).fits  # no check, nothing unspent
    Opportunity.objects.filter(pk=opportunity.pk).update(dbs_level=CheckLevel.STANDARD)
    fresh = Opportunity.objects.get(pk=opportunity.pk)
    match = selectors.match_for(person, fresh)
    assert not match.fits
    assert match.disclosure == "Standard check: spent convictions will show (1)"


def _convict(person: Participant, category: OffenceCategory | None, on: dt.date, **kw) -> None:
    conviction = Conviction.objects.create(
        participant=person,
        convicted_on=on,
        offence_category=category,
        source="hand",
        recorded_at=timezone.now(),
        **kw,
    )
    Sentence.objects.create(conviction=conviction, type="fine")
    recompute_spent(person)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    convictions=st.lists(
        st.tuples(
            st.none() | st.integers(0, 2),
            st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 9, 30)),
            st.booleans(),
        ),
        max_size=3,
    ),
    profile_offences=st.frozensets(st.integers(0, 2)),
    excluded=st.frozensets(st.integers(0, 2), min_size=1),
    level=st.sampled_from(list(CheckLevel)),
)
def test_database_rules_agree_with_the_explained_rules_for_convictions(
    worker_north: User,
    person: Participant,
    employer: Employer,
    convictions: list[tuple[int | None, dt.date, bool]],
    profile_offences: frozenset[int],
    excluded: frozenset[int],
    level: CheckLevel,
) -> None:
    categories = list(OffenceCategory.objects.order_by("order")[:3])
    Conviction.objects.filter(participant=person).delete()
    for category, on, specified in convictions:
        _convict(
            person,
            None if category is None else categories[category],
            on,
            specified_offence=specified,
        )
    person.work_profile.offence_categories.set([categories[i] for i in profile_offences])
    opportunity = Opportunity.objects.filter(employer=employer).first() or make_opportunity(
        worker_north, employer
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        exclusion_policy=ExclusionPolicy.CATEGORIES, dbs_level=level
    )
    opportunity.excluded_categories.set([categories[i] for i in excluded])

    fresh_person = Participant.objects.select_related("area").get(pk=person.pk)
    fresh_opportunity = Opportunity.objects.select_related("patch", "sector").get(pk=opportunity.pk)
    pfacts, ofacts = person_facts(fresh_person), opportunity_facts(fresh_opportunity)
    expected = explain(pfacts, ofacts).fits
    in_db = Opportunity.objects.filter(opportunities_fitting_q(pfacts), pk=opportunity.pk)
    assert in_db.exists() == expected
    people = participants_fitting(Participant.objects.filter(pk=person.pk), ofacts)
    assert people.exists() == expected
