"""What each DBS level shows: unspent always; spent ones on standard and enhanced unless
filtered (filtering.FILTERING, one test per row and per exception)."""

from __future__ import annotations

import datetime as dt

import pytest

from pathways.rehabilitation.calculator import Conviction, Length, Sentence, conviction_spent
from pathways.rehabilitation.filtering import CheckLevel, shown_on_check

TODAY = dt.date(2026, 12, 1)


def conv(
    kind: str, on: dt.date, *, youth: bool = False, length: Length | None = None
) -> Conviction:
    return Conviction(on, youth, (Sentence(kind, length=length),), caution="caution" in kind)


def shown(conviction: Conviction, level: CheckLevel, specified: bool = False) -> bool:
    return shown_on_check(
        conviction, conviction_spent(conviction), level, specified_offence=specified, today=TODAY
    )


UNSPENT = conv("fine", dt.date(2026, 6, 1))
SPENT_RECENT = conv("fine", dt.date(2020, 1, 1))  # spent 2021, under 11 years
SPENT_OLD = conv("fine", dt.date(2012, 1, 1))  # spent, 11 years passed 2023


@pytest.mark.parametrize("level", list(CheckLevel))
def test_an_unspent_conviction_shows_on_every_check_but_none(level: CheckLevel) -> None:
    assert shown(UNSPENT, level) is (level is not CheckLevel.NONE)


def test_a_basic_check_shows_no_spent_conviction() -> None:
    assert not shown(SPENT_RECENT, CheckLevel.BASIC)


@pytest.mark.parametrize("level", [CheckLevel.STANDARD, CheckLevel.ENHANCED])
def test_standard_and_enhanced_show_a_spent_conviction_under_eleven_years(level) -> None:
    assert shown(SPENT_RECENT, level)
    assert not shown(SPENT_OLD, level)


def test_a_specified_offence_is_never_filtered() -> None:
    assert shown(SPENT_OLD, CheckLevel.STANDARD, specified=True)


def test_a_custodial_sentence_is_never_filtered() -> None:
    old_custody = conv("suspended_custody", dt.date(2010, 1, 1), length=Length("months", 6))
    assert shown(old_custody, CheckLevel.ENHANCED)
    assert not shown(old_custody, CheckLevel.BASIC)


def test_a_youth_conviction_is_filtered_after_five_and_a_half_years() -> None:
    assert shown(conv("fine", dt.date(2021, 7, 1), youth=True), CheckLevel.STANDARD)
    assert not shown(conv("fine", dt.date(2021, 5, 1), youth=True), CheckLevel.STANDARD)


def test_an_adult_caution_is_filtered_after_six_years() -> None:
    assert shown(conv("simple_caution", dt.date(2021, 1, 1)), CheckLevel.STANDARD)
    assert not shown(conv("simple_caution", dt.date(2020, 11, 1)), CheckLevel.STANDARD)
    assert shown(conv("simple_caution", dt.date(2001, 1, 1)), CheckLevel.STANDARD, True)


def test_a_spent_youth_caution_never_shows_even_for_a_specified_offence() -> None:
    youth = conv("youth_caution", dt.date(2026, 11, 1), youth=True)
    assert not shown(youth, CheckLevel.ENHANCED, specified=True)
