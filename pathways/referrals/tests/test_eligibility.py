"""Eligibility and the identifiers people type."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathways.participants import identifiers
from pathways.referrals.eligibility import age_on, eligibility_problems


@given(
    dob=st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2020, 12, 31)),
    day=st.dates(min_value=datetime.date(2021, 1, 1), max_value=datetime.date(2040, 12, 31)),
)
def test_age_turns_over_on_the_birthday(dob: datetime.date, day: datetime.date) -> None:
    age = age_on(dob, day)
    try:
        birthday = dob.replace(year=dob.year + age)
    except ValueError:  # 29 February: the birthday is taken as 1 March
        birthday = datetime.date(dob.year + age, 3, 1)
    assert birthday <= day
    assert age_on(dob, day - datetime.timedelta(days=1)) in (age, age - 1)


def test_sixteenth_birthday_is_eligible_and_the_day_before_is_not() -> None:
    dob = datetime.date(2010, 6, 15)
    common: dict[str, Any] = {"cohort": "iom", "source": "probation"}
    assert (
        eligibility_problems(date_of_birth=dob, referral_date=datetime.date(2026, 6, 15), **common)
        == []
    )
    assert eligibility_problems(
        date_of_birth=dob, referral_date=datetime.date(2026, 6, 14), **common
    )


def test_leap_day_birthdays() -> None:
    dob = datetime.date(2008, 2, 29)
    assert age_on(dob, datetime.date(2024, 2, 28)) == 15
    assert age_on(dob, datetime.date(2024, 2, 29)) == 16
    assert age_on(dob, datetime.date(2025, 2, 28)) == 16


def test_unknown_cohort_and_source_are_refused() -> None:
    problems = eligibility_problems(
        date_of_birth=datetime.date(1990, 1, 1),
        referral_date=datetime.date(2026, 1, 1),
        cohort="victim",
        source="police",
    )
    assert len(problems) == 2


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (identifiers.is_crn, ["X123456", "x 123 456"], ["X12345", "1234567", "XX12345", ""]),
        (
            identifiers.is_pnc_id,
            ["2001/0123456Z", "01/123A", "2001/1Z"],
            ["2001/0123456", "2001-0123456Z", "201/1Z", "2001/12345678Z"],
        ),
        (identifiers.is_prison_number, ["A1234BC", "a1234bc"], ["A123BC", "11234BC", "A1234B"]),
    ],
)
def test_identifier_formats(check: object, good: list[str], bad: list[str]) -> None:
    assert callable(check)
    for value in good:
        assert check(value), value
    for value in bad:
        assert not check(value), value
