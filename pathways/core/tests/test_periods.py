"""Reporting periods: contract years, half-years and quarters from 1 May, any date range,
and the period's filter on dates and on date-times read in London time."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from pathways.core import periods
from pathways.core.forms import PeriodForm
from pathways.core.periods import Period, contract_year, half_year, named_choices, parse, quarter
from pathways.referrals.models import Referral

D = datetime.date
UTC = datetime.UTC


def _span(period: Period) -> tuple[datetime.date, datetime.date]:
    return period.start, period.end


def test_contract_years_run_from_1_may_to_30_april() -> None:
    assert _span(contract_year(D(2024, 4, 30))) == (D(2023, 5, 1), D(2024, 4, 30))
    assert _span(contract_year(D(2024, 5, 1))) == (D(2024, 5, 1), D(2025, 4, 30))
    assert str(contract_year(D(2024, 5, 1))) == "Contract year 2024-25"
    assert str(contract_year(D(2024, 4, 30))) == "Contract year 2023-24"
    assert contract_year(D(2025, 1, 31)).label == "Contract year 2024-25"
    assert contract_year(D(2024, 5, 1)).days == 365
    assert contract_year(D(2023, 5, 1)).days == 366  # 29 February 2024


def test_half_years_run_may_to_october_and_november_to_april() -> None:
    may = half_year(D(2024, 5, 1))
    assert (may.start, may.end, str(may)) == (D(2024, 5, 1), D(2024, 10, 31), "May to October 2024")
    assert half_year(D(2024, 10, 31)) == may
    november = half_year(D(2024, 11, 1))
    assert (november.start, november.end) == (D(2024, 11, 1), D(2025, 4, 30))
    assert str(november) == "November 2024 to April 2025"
    assert half_year(D(2025, 4, 30)) == november
    assert half_year(D(2025, 1, 1)) == november
    assert _span(half_year(D(2024, 4, 30))) == (D(2023, 11, 1), D(2024, 4, 30))


def test_quarters_follow_from_the_contract_year() -> None:
    assert _span(quarter(D(2024, 5, 1))) == (D(2024, 5, 1), D(2024, 7, 31))
    assert quarter(D(2024, 7, 31)).end == D(2024, 7, 31)
    assert _span(quarter(D(2024, 8, 1))) == (D(2024, 8, 1), D(2024, 10, 31))
    assert quarter(D(2024, 10, 31)).start == D(2024, 8, 1)
    assert _span(quarter(D(2024, 11, 1))) == (D(2024, 11, 1), D(2025, 1, 31))
    assert _span(quarter(D(2025, 1, 31))) == (D(2024, 11, 1), D(2025, 1, 31))
    assert _span(quarter(D(2025, 2, 1))) == (D(2025, 2, 1), D(2025, 4, 30))
    assert str(quarter(D(2025, 2, 1))) == "February to April 2025"
    assert str(quarter(D(2024, 11, 1))) == "November to January 2025"
    assert _span(quarter(D(2024, 2, 29))) == (D(2024, 2, 1), D(2024, 4, 30))


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)))
def test_every_day_is_in_exactly_one_period_of_each_kind(day: datetime.date) -> None:
    year, half, three = contract_year(day), half_year(day), quarter(day)
    for period in (year, half, three):
        assert period.start <= day <= period.end
        assert period.start.day == 1
        assert (period.end + datetime.timedelta(days=1)).day == 1
    assert year.start <= half.start <= three.start and three.end <= half.end <= year.end
    assert year.start.month == 5
    assert half.start.month in (5, 11)
    assert three.start.month in (5, 8, 11, 2)
    # The next period of each kind starts the day after.
    after = half.end + datetime.timedelta(days=1)
    assert half_year(after).start == after


def test_a_period_is_ordered_and_says_its_key_and_labels() -> None:
    with pytest.raises(ValueError, match="ends on or after its start"):
        Period(D(2024, 5, 2), D(2024, 5, 1))
    custom = Period(D(2024, 5, 3), D(2024, 6, 9))
    assert str(custom) == "3 May 2024 to 9 June 2024"
    assert custom.key == "2024-05-03:2024-06-09"
    assert custom.short_label == "May 24\N{EN DASH}Jun 24"
    assert custom.days == 38
    assert Period(D(2024, 5, 1), D(2024, 5, 1)).days == 1
    assert half_year(D(2025, 1, 1)).short_label == "Nov 24\N{EN DASH}Apr 25"


def test_local_midnights_follow_summer_time() -> None:
    may = half_year(D(2024, 5, 1))
    # 1 May is in British Summer Time: midnight is 23:00 UTC the day before.
    assert may.first_moment == datetime.datetime(2024, 4, 30, 23, 0, tzinfo=UTC)
    # Summer time ended on 27 October 2024: midnight after 31 October is midnight UTC.
    assert may.after_end == datetime.datetime(2024, 11, 1, 0, 0, tzinfo=UTC)
    winter = half_year(D(2024, 11, 1))
    assert winter.first_moment == datetime.datetime(2024, 11, 1, 0, 0, tzinfo=UTC)
    assert winter.after_end == datetime.datetime(2025, 4, 30, 23, 0, tzinfo=UTC)


def test_closed_once_the_last_day_has_passed() -> None:
    may = half_year(D(2024, 5, 1))
    assert not may.closed(D(2024, 10, 31))
    assert may.closed(D(2024, 11, 1))
    with time_machine.travel(datetime.datetime(2024, 10, 31, 23, 30, tzinfo=UTC), tick=False):
        assert not may.closed()  # still 31 October in London
    with time_machine.travel(datetime.datetime(2024, 11, 1, 0, 0, tzinfo=UTC), tick=False):
        assert may.closed()


def test_previous_gives_periods_of_a_kind_oldest_first() -> None:
    custom = Period(D(2024, 6, 15), D(2024, 9, 1))
    assert periods.previous(custom, "half", 3) == [
        half_year(D(2023, 5, 1)),
        half_year(D(2023, 11, 1)),
        half_year(D(2024, 5, 1)),
    ]
    assert periods.previous(custom, "year", 2) == [
        contract_year(D(2023, 5, 1)),
        contract_year(D(2024, 5, 1)),
    ]
    assert [p.start for p in periods.previous(quarter(D(2024, 5, 1)), "quarter", 4)] == [
        D(2023, 8, 1),
        D(2023, 11, 1),
        D(2024, 2, 1),
        D(2024, 5, 1),
    ]
    assert periods.previous(custom, "half", 1) == [half_year(D(2024, 5, 1))]


def test_parse_recognises_named_periods_and_any_range() -> None:
    assert parse("2024-05-01:2024-10-31") == half_year(D(2024, 5, 1))
    assert str(parse("2024-05-01:2024-10-31")) == "May to October 2024"
    assert str(parse(" 2024-05-01:2025-04-30 ")) == "Contract year 2024-25"
    assert str(parse("2024-11-01:2025-01-31")) == "November to January 2025"
    custom = parse("2024-05-01:2024-05-31")
    assert custom == Period(D(2024, 5, 1), D(2024, 5, 31))
    assert custom.label == ""
    assert parse("2024-05-01:2024-05-01").days == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give the period as YYYY-MM-DD:YYYY-MM-DD, for example 2022-05-01:2022-10-31"),
        ("2024-05-01", "Give the period as YYYY-MM-DD:YYYY-MM-DD"),
        ("2024-05-01..2024-10-31", "Give the period as YYYY-MM-DD:YYYY-MM-DD"),
        ("1/5/2024:31/10/2024", "Give the period as YYYY-MM-DD:YYYY-MM-DD"),
        ("2024-02-30:2024-10-31", "The period's dates must be real dates"),
        ("2024-05-01:2024-13-01", "The period's dates must be real dates"),
        ("2024-10-31:2024-05-01", "The period must end on or after its start"),
    ],
)
def test_parse_refuses_with_a_readable_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse(text)
    assert str(error.value).startswith(message)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2080, 1, 1)), st.integers(0, 800))
def test_parse_reads_back_every_key(start: datetime.date, length: int) -> None:
    period = Period(start, start + datetime.timedelta(days=length))
    assert _span(parse(period.key)) == _span(period)


def test_named_choices_newest_first_in_each_group() -> None:
    choices = named_choices(D(2025, 1, 15))
    assert [str(p) for p in choices] == [
        "November 2024 to April 2025",
        "November to January 2025",
        "August to October 2024",
        "May to July 2024",
        "February to April 2024",
        "May to October 2024",
        "November 2023 to April 2024",
        "May to October 2023",
        "November 2022 to April 2023",
        "May to October 2022",
        "Contract year 2024-25",
        "Contract year 2023-24",
        "Contract year 2022-23",
    ]
    assert len({p.key for p in choices}) == len(choices)
    assert all(parse(p.key) == p for p in choices)


# The filter on a period: dates as they are, date-times in London time.


def test_q_on_a_date_field_includes_both_days() -> None:
    q = half_year(D(2024, 5, 1)).q("consent_date")
    assert set(q.children) == {
        ("consent_date__gte", D(2024, 5, 1)),
        ("consent_date__lte", D(2024, 10, 31)),
    }


def test_q_on_a_date_time_field_uses_local_midnights() -> None:
    period = half_year(D(2024, 5, 1))
    assert set(period.q("received_at").children) == {
        ("received_at__gte", period.first_moment),
        ("received_at__lt", period.after_end),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        # 22:59 UTC on 30 April is 23:59 BST, 30 April: before.
        (datetime.datetime(2024, 4, 30, 22, 59, 59, tzinfo=UTC), False),
        # 23:00 UTC on 30 April is midnight BST: the first moment of 1 May.
        (datetime.datetime(2024, 4, 30, 23, 0, tzinfo=UTC), True),
        # 23:30 UTC on 30 April is 00:30 BST on 1 May: in.
        (datetime.datetime(2024, 4, 30, 23, 30, tzinfo=UTC), True),
        # Summer time ended on 27 October: 23:30 UTC on 31 October is 23:30 GMT, in.
        (datetime.datetime(2024, 10, 31, 23, 30, tzinfo=UTC), True),
        (datetime.datetime(2024, 10, 31, 23, 59, 59, tzinfo=UTC), True),
        # Midnight on 1 November: out.
        (datetime.datetime(2024, 11, 1, 0, 0, tzinfo=UTC), False),
    ],
)
def test_q_on_a_date_time_in_the_database(
    moment: datetime.datetime, inside: bool, referrer: Any, north: Any
) -> None:
    from pathways.referrals.tests.factories import make_referral

    with time_machine.travel(moment, tick=False):
        referral = make_referral(referrer)
    found = Referral.objects.filter(half_year(D(2024, 5, 1)).q("received_at"))
    assert found.filter(pk=referral.pk).exists() is inside
    # The neighbour holds it exactly when this period does not.
    neighbour = half_year(D(2024, 4, 30) if moment.month == 4 else D(2024, 11, 1))
    assert Referral.objects.filter(neighbour.q("received_at"), pk=referral.pk).exists() is (
        not inside
    )


@pytest.mark.django_db
def test_q_on_a_date_in_the_database(referrer: Any, north: Any) -> None:
    from pathways.referrals.tests.factories import make_referral

    with time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=UTC), tick=False):
        referrals = [make_referral(referrer) for _ in range(4)]
    for referral, day in zip(
        referrals, [D(2024, 4, 30), D(2024, 5, 1), D(2024, 10, 31), D(2024, 11, 1)], strict=True
    ):
        Referral.objects.filter(pk=referral.pk).update(consent_date=day)
    found = Referral.objects.filter(half_year(D(2024, 5, 1)).q("consent_date"))
    assert set(found.values_list("pk", flat=True)) == {referrals[1].pk, referrals[2].pk}


# The period form


def _form(data: dict[str, str] | None) -> PeriodForm:
    today = D(2025, 1, 15)
    return PeriodForm(data, choices=named_choices(today), default=half_year(today))


def _dates(start: tuple[str, str, str] | None, end: tuple[str, str, str] | None) -> dict[str, str]:
    data: dict[str, str] = {}
    for prefix, parts in (("start", start), ("end", end)):
        day, month, year = parts or ("", "", "")
        data.update({f"{prefix}-day": day, f"{prefix}-month": month, f"{prefix}-year": year})
    return data


def test_the_form_gives_the_default_until_asked() -> None:
    form = _form(None)
    assert not form.is_bound
    assert form.chosen == half_year(D(2025, 1, 15))
    assert form.initial == {"period": "2024-11-01:2025-04-30"}
    assert _form({"trend": "attrition"}).chosen == half_year(D(2025, 1, 15))


def test_the_form_chooses_a_named_period() -> None:
    form = _form({"period": "2024-05-01:2024-10-31"})
    assert form.is_valid(), form.errors
    assert form.chosen == half_year(D(2024, 5, 1))
    assert str(form.chosen) == "May to October 2024"


def test_the_form_refuses_a_period_not_offered() -> None:
    form = _form({"period": "2024-05-01:2024-05-31"})
    assert not form.is_valid()
    assert "period" in form.errors
    assert form.chosen == half_year(D(2025, 1, 15))


def test_the_form_takes_custom_dates_over_the_named_period() -> None:
    form = _form(
        {"period": "2024-05-01:2024-10-31", **_dates(("1", "5", "2024"), ("31", "5", "2024"))}
    )
    assert form.is_valid(), form.errors
    assert form.chosen == Period(D(2024, 5, 1), D(2024, 5, 31))
    one_day = _form(
        {"period": "2024-11-01:2025-04-30", **_dates(("3", "6", "2024"), ("3", "6", "2024"))}
    )
    assert one_day.is_valid(), one_day.errors
    assert one_day.chosen == Period(D(2024, 6, 3), D(2024, 6, 3))
    assert str(one_day.chosen) == "3 June 2024 to 3 June 2024"


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (("1", "5", "2024"), None, "end", "Enter both dates of the period"),
        (None, ("31", "5", "2024"), "start", "Enter both dates of the period"),
        (
            ("31", "5", "2024"),
            ("1", "5", "2024"),
            "end",
            "The end of the period must be on or after its start",
        ),
    ],
)
def test_the_form_refuses_half_given_or_reversed_dates(
    start: tuple[str, str, str] | None,
    end: tuple[str, str, str] | None,
    field: str,
    message: str,
) -> None:
    form = _form({"period": "2024-05-01:2024-10-31", **_dates(start, end)})
    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert form.chosen == half_year(D(2025, 1, 15))


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)))
def test_named_periods_are_known_by_their_dates_alone(day: datetime.date) -> None:
    for make in (contract_year, half_year, quarter):
        named = make(day)
        assert periods.is_named(Period(named.start, named.end))
    assert not periods.is_named(Period(day, day))
