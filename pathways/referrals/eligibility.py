"""Who the service can take: the rules of the commissioning decision."""

from __future__ import annotations

import datetime

from pathways.referrals.models import Cohort, Source

MINIMUM_AGE = 16
# How long the service expects to support a person: 26 weeks, the span from a start to
# the last sustainment check (placements.models.SUSTAINMENT_WEEKS ends at 26) that the
# commissioner's measures count. An order or licence ending sooner leaves support running
# past the supervision that referred the person, so the manager is warned at acceptance.
EXPECTED_SUPPORT_DAYS = 26 * 7
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
    order_end_date: datetime.date | None = None,
    order_ended_reason: str = "",
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
    if order_ended(order_end_date, referral_date) and not order_ended_reason.strip():
        problems.append(
            "The order or licence end date has passed, so the person is no longer on "
            "probation: say why they should still be referred"
        )
    return problems


def order_ended(order_end_date: datetime.date | None, day: datetime.date) -> bool:
    """The order or licence ended before ``day`` (it runs to the end of its end date)."""
    return order_end_date is not None and order_end_date < day


def order_ends_within_support(order_end_date: datetime.date | None, day: datetime.date) -> bool:
    """Support starting on ``day`` would outlast the order or licence."""
    return order_end_date is not None and order_end_date < day + datetime.timedelta(
        days=EXPECTED_SUPPORT_DAYS
    )
