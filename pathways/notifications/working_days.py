"""Working days: Monday to Friday, except the days in ``settings.NON_WORKING_DAYS`` (bank
holidays, from the environment)."""

from __future__ import annotations

import datetime

from django.conf import settings


def holidays() -> set[datetime.date]:
    return {datetime.date.fromisoformat(day) for day in settings.NON_WORKING_DAYS}


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day after ``day``."""
    following = day + datetime.timedelta(days=1)
    while not is_working_day(following):
        following += datetime.timedelta(days=1)
    return following
