"""Times accept what people type (9:30, 09:30, 9.30, 9:30am, 2pm, 14:00) and refuse anything
else with one clear message."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathways.contacts.forms import TIME_ERROR, RescheduleForm, WhenForm, parse_time


@pytest.mark.parametrize(
    ("typed", "time"),
    [
        ("9:30", (9, 30)),
        ("09:30", (9, 30)),
        ("9.30", (9, 30)),
        ("9:30am", (9, 30)),
        ("9:30 AM", (9, 30)),
        ("9.30a.m.", (9, 30)),
        ("2pm", (14, 0)),
        ("2 pm", (14, 0)),
        ("2:15PM", (14, 15)),
        ("2 p.m.", (14, 0)),
        ("14:00", (14, 0)),
        ("14.00", (14, 0)),
        ("0:05", (0, 5)),
        ("23:59", (23, 59)),
        ("12pm", (12, 0)),
        ("12am", (0, 0)),
        ("12:30am", (0, 30)),
        (" 10:45 ", (10, 45)),
    ],
)
def test_times_as_people_type_them(typed: str, time: tuple[int, int]) -> None:
    assert parse_time(typed) == datetime.time(*time)


@pytest.mark.parametrize(
    "typed",
    [
        "24:00",
        "25:00",
        "9:60",
        "9:5",
        "13pm",
        "0am",
        "14:00pm",
        "9",
        "930",
        "nine thirty",
        "9:30xm",
        "9::30",
        ":30",
        "9:30:00",
        "-1:00",
        "noon",
    ],
)
def test_anything_else_is_refused(typed: str) -> None:
    assert parse_time(typed) is None


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_24_hour_time_reads_back(hour: int, minute: int) -> None:
    assert parse_time(f"{hour}:{minute:02d}") == datetime.time(hour, minute)
    assert parse_time(f"{hour:02d}.{minute:02d}") == datetime.time(hour, minute)
    twelve = hour % 12 or 12
    half = "am" if hour < 12 else "pm"
    assert parse_time(f"{twelve}:{minute:02d}{half}") == datetime.time(hour, minute)


@pytest.mark.parametrize("form_class", [WhenForm, RescheduleForm])
def test_the_forms_say_what_to_type(form_class: type) -> None:
    form = form_class(data={"time": "half nine"})
    form.is_valid()
    assert form.errors["time"] == [TIME_ERROR]
    assert "2pm" in str(form.fields["time"].help_text)
    assert form_class(data={"time": "2pm"}).fields["time"].clean("2pm") == datetime.time(14)
