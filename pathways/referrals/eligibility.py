"""Who the service can take: the rules of the commissioning decision."""

from __future__ import annotations

import datetime

from pathways.referrals.models import Cohort, Source

MINIMUM_AGE = 16
ELIGIBLE_COHORTS = frozenset(Cohort)
ELIGIBLE_SOURCES = frozenset(Source)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day``; a 29 February birthday turns over on 1 March."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def eligibility_problems(
    *,
    date_of_birth: datetime.date,
    referral_date: datetime.date,
    cohort: str,
    source: str,
    prison_name: str = "",
    prison_number: str = "",
    expected_release_date: datetime.date | None = None,
) -> list[str]:
    """Every reason the person cannot be referred; an empty list means eligible."""
    problems = []
    if age_on(date_of_birth, referral_date) < MINIMUM_AGE:
        problems.append(f"The person must be aged {MINIMUM_AGE} or over on the referral date")
    if cohort not in ELIGIBLE_COHORTS:
        problems.append(
            "The person must be in the IOM cohort, on ROTL or in another eligible group"
        )
    if source not in ELIGIBLE_SOURCES:
        problems.append("Referrals come from Probation, a Youth Offending Service or a prison")
    if cohort == Cohort.ROTL and not (prison_name and prison_number and expected_release_date):
        problems.append(
            "A ROTL referral needs the prison, the prison number and the expected release date"
        )
    return problems
