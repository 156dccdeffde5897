"""Matching people and opportunities: one set of rules, in two forms.

A person fits an open opportunity when all of these hold:

1. **Place**: the opportunity is in the person's own patch or one they can travel to.
2. **Sector**: its sector is one of the person's sector interests.
3. **Requirements**: the person holds every essential card, licence and qualification.
4. **Exclusions**: none of the employer's excluded offence categories is one of the
   person's ("case by case" fits, with a prompt to discuss it with the employer). Where
   the person's convictions are recorded, only those the opportunity's criminal record
   check will show count (convictions.selectors: spent, filtered, by check level;
   docs/disclosure.md); otherwise the work profile's offence categories.

``explain`` also says what the person would disclose for each opportunity: "nothing to
disclose", "discloses N unspent convictions", "spent convictions will show".

``explain`` applies the rules to one pair and says why each holds or not (for the page);
``opportunities_fitting_q`` and ``participants_fitting`` apply them in the database (for
lists), so nothing loops over unbounded sets in Python. A test checks both agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pathways.convictions.models import Conviction
from pathways.convictions.selectors import check_level_of, shown_q
from pathways.employers.models import ExclusionPolicy, Opportunity
from pathways.participants.models import Participant, WorkProfile
from pathways.rehabilitation.calculator import Spent
from pathways.rehabilitation.filtering import CheckLevel, is_spent, shown

if TYPE_CHECKING:
    from pathways.accounts.models import Patch


def exclusions_see(level: CheckLevel) -> CheckLevel:
    """The check whose convictions an employer's exclusions read (no check: basic)."""
    return CheckLevel.BASIC if level is CheckLevel.NONE else level


@dataclass(frozen=True)
class ConvictionFacts:
    """A recorded conviction, as matching reads it (spent dates stored by convictions)."""

    category_id: int | None
    spent: Spent
    filtered_from: dt.date | None


@dataclass(frozen=True)
class PersonFacts:
    """What matching knows of a person: ids of reachable patches, interests and so on."""

    patch_ids: frozenset[int]
    sector_ids: frozenset[int] = frozenset()
    holds: frozenset[int] = frozenset()
    offences: frozenset[int] = frozenset()
    has_profile: bool = True
    convictions: tuple[ConvictionFacts, ...] = ()
    today: dt.date = field(default_factory=timezone.localdate)

    def shown(self, level: CheckLevel) -> list[ConvictionFacts]:
        """The recorded convictions a check of this level shows today."""
        return [c for c in self.convictions if shown(level, c.spent, c.filtered_from, self.today)]

    def offences_for(self, level: CheckLevel) -> frozenset[int]:
        """The offence categories the exclusions see at this check level. With no check, the
        employer still learns of unspent convictions if it asks (the person must answer), so
        those count as on a basic check."""
        if not self.convictions:
            return self.offences
        seen = exclusions_see(level)
        return frozenset(c.category_id for c in self.shown(seen) if c.category_id is not None)


@dataclass(frozen=True)
class OpportunityFacts:
    patch_id: int
    patch_name: str
    sector_id: int
    sector_label: str
    requirements: dict[int, str] = field(default_factory=dict)
    exclusion_policy: str = ExclusionPolicy.NONE
    excluded: dict[int, str] = field(default_factory=dict)
    check_level: CheckLevel = CheckLevel.BASIC


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str


@dataclass(frozen=True)
class Match:
    checks: list[Check]
    caution: str = ""
    disclosure: str = ""

    @property
    def fits(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def exclusion_applies(self) -> bool:
        return any(not check.ok and check.text.startswith("Excludes") for check in self.checks)


def _names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def disclosure(person: PersonFacts, level: CheckLevel) -> str:
    """What the person would disclose for an opportunity with this check."""
    unspent = sum(not is_spent(c.spent, person.today) for c in person.convictions)
    spent_shown = sum(is_spent(c.spent, person.today) for c in person.shown(level))
    if level is CheckLevel.NONE:
        if not unspent:
            return "No criminal record check: nothing to disclose"
        return (
            f"No criminal record check: discloses {_plural(unspent, 'unspent conviction')} if asked"
        )
    check = level.value.capitalize() + " check"
    if not unspent and not spent_shown:
        return f"{check}: nothing to disclose"
    parts = [f"discloses {_plural(unspent, 'unspent conviction')}"] if unspent else []
    if spent_shown:
        parts.append(f"spent convictions will show ({spent_shown})")
    return f"{check}: " + "; ".join(parts)


def explain(person: PersonFacts, opportunity: OpportunityFacts) -> Match:
    """Each rule for this pair, with the reason it holds or not."""
    checks = [
        Check(True, f"In the {opportunity.patch_name} patch, which the person can reach")
        if opportunity.patch_id in person.patch_ids
        else Check(False, f"In the {opportunity.patch_name} patch, which the person cannot reach"),
    ]
    if not person.has_profile or not person.sector_ids:
        checks.append(Check(False, "No sector interests recorded for the person"))
    elif opportunity.sector_id in person.sector_ids:
        checks.append(Check(True, f"{opportunity.sector_label} is one of the person's interests"))
    else:
        checks.append(
            Check(False, f"{opportunity.sector_label} is not one of the person's interests")
        )
    if not opportunity.requirements:
        checks.append(Check(True, "No essential requirements"))
    for pk, label in sorted(opportunity.requirements.items(), key=lambda item: item[1]):
        checks.append(
            Check(True, f"Holds: {label}")
            if pk in person.holds
            else Check(False, f"Does not hold: {label}")
        )
    caution = ""
    if opportunity.exclusion_policy == ExclusionPolicy.CATEGORIES and opportunity.excluded:
        offences = person.offences_for(opportunity.check_level)
        hit = sorted(label for pk, label in opportunity.excluded.items() if pk in offences)
        if hit:
            text = f"Excludes {_names(hit)}: an offence category of the person"
            checks.append(Check(False, text))
        else:
            excluded = sorted(opportunity.excluded.values())
            checks.append(Check(True, f"Excludes {_names(excluded)}: none applies to the person"))
    elif opportunity.exclusion_policy == ExclusionPolicy.CASE_BY_CASE:
        checks.append(Check(True, "Offences considered case by case"))
        caution = "The employer considers offences case by case: discuss the person with them."
    else:
        checks.append(Check(True, "No offence exclusions"))
    return Match(
        checks=checks, caution=caution, disclosure=disclosure(person, opportunity.check_level)
    )


# Facts from rows (the callers prefetch the related rows they read).


def person_facts(participant: Participant) -> PersonFacts:
    own = participant.area.patch_id
    convictions = tuple(
        ConvictionFacts(c.offence_category_id, c.spent, c.filtered_from)
        for c in participant.convictions.all()
    )
    try:
        profile = participant.work_profile
    except WorkProfile.DoesNotExist:
        return PersonFacts(patch_ids=frozenset({own}), has_profile=False, convictions=convictions)
    return PersonFacts(
        patch_ids=frozenset({own, *(p.pk for p in profile.travel_patches.all())}),
        sector_ids=frozenset(s.pk for s in profile.sectors.all()),
        holds=frozenset(r.pk for r in profile.holds.all()),
        offences=frozenset(o.pk for o in profile.offence_categories.all()),
        convictions=convictions,
    )


PERSON_PREFETCH = (
    "work_profile__travel_patches",
    "work_profile__sectors",
    "work_profile__holds",
    "work_profile__offence_categories",
    "convictions",
)
OPPORTUNITY_PREFETCH = ("requirements", "excluded_categories")


def opportunity_facts(opportunity: Opportunity) -> OpportunityFacts:
    patch: Patch = opportunity.patch
    return OpportunityFacts(
        patch_id=patch.pk,
        patch_name=patch.name,
        sector_id=opportunity.sector_id,
        sector_label=opportunity.sector.label,
        requirements={r.pk: r.label for r in opportunity.requirements.all()},
        exclusion_policy=opportunity.exclusion_policy,
        excluded={c.pk: c.label for c in opportunity.excluded_categories.all()},
        check_level=check_level_of(opportunity),
    )


# The same rules in the database.

_Requires = Opportunity.requirements.through
_Excludes = Opportunity.excluded_categories.through
_Sectors = WorkProfile.sectors.through
_Holds = WorkProfile.holds.through
_Offences = WorkProfile.offence_categories.through
_Travels = WorkProfile.travel_patches.through


def opportunities_fitting_q(person: PersonFacts) -> Q:
    """The filter on Opportunity for the opportunities this person fits."""
    if not person.sector_ids:
        return Q(pk__in=[])
    missing_requirement = _Requires.objects.filter(opportunity=OuterRef("pk")).exclude(
        requirement_id__in=person.holds
    )
    excluded_by_level = Q(pk__in=[])
    for level in CheckLevel:
        excluded_hit = _Excludes.objects.filter(
            opportunity=OuterRef("pk"), offencecategory_id__in=person.offences_for(level)
        )
        excluded_by_level |= _at_level(level) & Q(Exists(excluded_hit))
    return (
        Q(patch_id__in=person.patch_ids, sector_id__in=person.sector_ids)
        & ~Exists(missing_requirement)
        & ~(Q(exclusion_policy=ExclusionPolicy.CATEGORIES) & excluded_by_level)
    )


def _at_level(level: CheckLevel) -> Q:
    """Opportunities whose employer makes a check of this level."""
    return Q(dbs_level=level.value)


def participants_fitting(
    people: QuerySet[Participant], opportunity: OpportunityFacts
) -> QuerySet[Participant]:
    """Of these people, those who fit the opportunity."""
    person = OuterRef("pk")
    sector_id = opportunity.sector_id
    reach = Q(area__patch_id=opportunity.patch_id) | Exists(
        _Travels.objects.filter(workprofile__participant=person, patch_id=opportunity.patch_id)
    )
    people = people.filter(reach).filter(
        Exists(_Sectors.objects.filter(workprofile__participant=person, sector_id=sector_id))
    )
    for required in opportunity.requirements:
        people = people.filter(
            Exists(_Holds.objects.filter(workprofile__participant=person, requirement_id=required))
        )
    if opportunity.exclusion_policy == ExclusionPolicy.CATEGORIES and opportunity.excluded:
        excluded = list(opportunity.excluded)
        convictions = Conviction.objects.filter(participant=person)
        shown_hit = convictions.filter(
            shown_q(exclusions_see(opportunity.check_level), timezone.localdate()),
            offence_category_id__in=excluded,
        )
        profile_hit = _Offences.objects.filter(
            workprofile__participant=person, offencecategory_id__in=excluded
        )
        people = people.exclude(Exists(shown_hit)).exclude(
            ~Exists(convictions) & Exists(profile_hit)
        )
    return people
