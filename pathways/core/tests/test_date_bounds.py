"""Dates are bounded: a date field takes 1 January 1900 to 31 December 2100, and a period
asked for by its key is refused past those, so no period's arithmetic overflows."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.test import Client

from pathways.accounts.models import User
from pathways.core.forms import DateField, PeriodForm
from pathways.core.periods import EARLIEST, LATEST, half_year, parse

BOUNDS = "Start date must be between 1 January 1900 and 31 December 2100"


class DateForm(forms.Form):
    start = DateField(label="Start date")


def _date(day: int, month: int, year: int) -> DateForm:
    return DateForm({"start-day": str(day), "start-month": str(month), "start-year": str(year)})


@pytest.mark.parametrize(("day", "month", "year"), [(31, 12, 9999), (31, 12, 1899), (1, 1, 2101)])
def test_a_date_outside_the_bounds_is_refused_with_a_clear_message(
    day: int, month: int, year: int
) -> None:
    form = _date(day, month, year)
    assert not form.is_valid()
    assert form.errors["start"] == [BOUNDS]


def test_the_bounds_themselves_are_accepted() -> None:
    for day in (EARLIEST, LATEST):
        form = _date(day.day, day.month, day.year)
        assert form.is_valid() and form.cleaned_data["start"] == day


@pytest.mark.parametrize("text", ["2026-05-01:9999-12-31", "1899-12-31:2026-05-01"])
def test_a_period_key_outside_the_bounds_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be between 1900 and 2100"):
        parse(text)


def test_the_period_chooser_refuses_a_period_ending_in_9999() -> None:
    default = half_year(datetime.date(2026, 6, 1))
    dated = {"start-day": "1", "start-month": "5", "start-year": "2026"}
    dated |= {"end-day": "31", "end-month": "12", "end-year": "9999"}
    form = PeriodForm(dated, choices=[default], default=default)
    assert not form.is_valid() and form.chosen == default
    assert form.errors["end"] == ["To must be between 1 January 1900 and 31 December 2100"]
    keyed = PeriodForm({"period": "2026-05-01:9999-12-31"}, choices=[default], default=default)
    assert not keyed.is_valid() and keyed.chosen == default


@pytest.mark.django_db
def test_the_dashboard_answers_a_period_ending_in_9999_with_an_error(
    client: Client, manager: User
) -> None:
    client.force_login(manager)
    end = "end-day=31&end-month=12&end-year=9999"
    page = client.get(f"/outcomes/?start-day=1&start-month=5&start-year=2026&{end}")
    assert page.status_code == 200
    assert b"must be between 1 January 1900 and 31 December 2100" in page.content
    keyed = client.get("/outcomes/?period=2026-05-01:9999-12-31")
    assert keyed.status_code == 200 and b"<title>Error: " in keyed.content
