"""The demo's moved clock: every demo record is made through the real services with the
clock set to the moment it would have happened, so its dates, audit events and figures
are the ones real use would give."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


@contextmanager
def clock_at(when: datetime.datetime) -> Iterator[None]:
    """Within the block, ``django.utils.timezone.now()`` returns ``when``. Blocks nest:
    leaving an inner one puts back the outer one's moment."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


# The demo's appointments and decisions happen in working hours, UK time: Monday to Friday,
# starting from 9:30 and over by 17:00 (the longest appointment is an hour).
WORKING_SLOTS = (
    datetime.time(9, 30),
    datetime.time(10, 0),
    datetime.time(11, 0),
    datetime.time(11, 30),
    datetime.time(13, 30),
    datetime.time(14, 0),
    datetime.time(14, 30),
    datetime.time(15, 30),
)
WORKDAY_START = datetime.time(9, 0)
WORKDAY_END = datetime.time(17, 0)


def working_day(day: datetime.date, *, later: bool = False, earlier: bool = False) -> datetime.date:
    """``day`` if a weekday; a Saturday is taken back to the Friday and a Sunday on to the
    Monday (``later``: both on to the Monday; ``earlier``: both back to the Friday)."""
    weekday = day.weekday()
    if weekday < 5:
        return day
    if earlier or (weekday == 5 and not later):
        return day - datetime.timedelta(days=weekday - 4)
    return day + datetime.timedelta(days=7 - weekday)


def in_working_hours(
    day: datetime.date, n: int, *, later: bool = False, earlier: bool = False
) -> datetime.datetime:
    """A moment in working hours on ``day`` (``working_day``), UK time: the ``n``th of the
    slots, so a run of appointments spreads over the day."""
    slot = WORKING_SLOTS[n % len(WORKING_SLOTS)]
    moved = working_day(day, later=later, earlier=earlier)
    return timezone.make_aware(datetime.datetime.combine(moved, slot), LONDON)
