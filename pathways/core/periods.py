"""Reporting periods: contract years (1 May to 30 April), half-years (May-October,
November-April), quarters (May-July, August-October, November-January, February-April)
and any date range. Every period is a first and a last day, both included."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

CONTRACT_YEAR_START_MONTH = 5

# The dates a person may enter or ask figures for (every date field, every period): wide
# enough for any date of birth or plan, and far from the calendar's end, so a period's
# arithmetic (the day after it, the months around it) never overflows.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def _months_after(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after its start.")

    def __str__(self) -> str:
        return self.label or f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def short_label(self) -> str:
        """For chart axes: Nov 25 to Apr 26."""
        return f"{self.start:%b %y}\N{EN DASH}{self.end:%b %y}"

    @property
    def key(self) -> str:
        """The period as the command line and URLs write it: 2022-05-01:2022-10-31."""
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def first_moment(self) -> datetime.datetime:
        """Local midnight at the start of the first day."""
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time()))

    @property
    def after_end(self) -> datetime.datetime:
        """Local midnight at the end of the last day."""
        return timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time())
        )

    def q(self, field: str) -> Q:
        """``field`` (a date, or a date and time read in local time) falls in the period.
        Date-times are compared with the period's local midnights, so indexes serve."""
        if field.endswith("_at"):
            return Q(**{f"{field}__gte": self.first_moment, f"{field}__lt": self.after_end})
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def closed(self, today: datetime.date | None = None) -> bool:
        """The period is over: its figures will not change with new activity."""
        return self.end < (today or timezone.localdate())


def _span(start: datetime.date, months: int, label: str) -> Period:
    return Period(start, _months_after(start, months) - datetime.timedelta(days=1), label)


def contract_year(day: datetime.date) -> Period:
    year = day.year if day.month >= CONTRACT_YEAR_START_MONTH else day.year - 1
    return _span(datetime.date(year, 5, 1), 12, f"Contract year {year}-{str(year + 1)[-2:]}")


def half_year(day: datetime.date) -> Period:
    year = contract_year(day).start.year
    if CONTRACT_YEAR_START_MONTH <= day.month <= 10:
        return _span(datetime.date(year, 5, 1), 6, f"May to October {year}")
    return _span(datetime.date(year, 11, 1), 6, f"November {year} to April {year + 1}")


def quarter(day: datetime.date) -> Period:
    offset = (day.month - CONTRACT_YEAR_START_MONTH) % 12 // 3
    start = _months_after(contract_year(day).start, offset * 3)
    end = _months_after(start, 3) - datetime.timedelta(days=1)
    return Period(start, end, f"{start:%B} to {end:%B %Y}")


KINDS = {"year": contract_year, "half": half_year, "quarter": quarter}


def previous(period: Period, kind: str, count: int) -> list[Period]:
    """``count`` periods of ``kind`` ending with the one that holds ``period.start``,
    oldest first (for trends)."""
    make = KINDS[kind]
    periods = [make(period.start)]
    while len(periods) < count:
        periods.insert(0, make(periods[0].start - datetime.timedelta(days=1)))
    return periods


def is_named(period: Period) -> bool:
    """The period is a contract year, a half-year or a quarter (whatever its label)."""
    return any(
        (made.start, made.end) == (period.start, period.end)
        for made in (make(period.start) for make in KINDS.values())
    )


_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


def parse(text: str) -> Period:
    """A period from ``YYYY-MM-DD:YYYY-MM-DD``; ValueError with a readable message."""
    match = _RANGE.match(text.strip())
    if match is None:
        raise ValueError(
            "Give the period as YYYY-MM-DD:YYYY-MM-DD, for example 2022-05-01:2022-10-31"
        )
    try:
        start, end = (datetime.date.fromisoformat(part) for part in match.groups())
    except ValueError:
        raise ValueError("The period's dates must be real dates") from None
    if end < start:
        raise ValueError("The period must end on or after its start")
    if start < EARLIEST or end > LATEST:
        raise ValueError(f"The period's dates must be between {EARLIEST.year} and {LATEST.year}")
    for make in KINDS.values():
        named = make(start)
        if (named.start, named.end) == (start, end):
            return named
    return Period(start, end)


def named_choices(today: datetime.date) -> list[Period]:
    """The periods offered on pages: this half-year, the last four quarters, the five
    half-years before, and this and the last two contract years (newest first in each)."""
    years = previous(contract_year(today), "year", 3)[::-1]
    halves = previous(half_year(today), "half", 6)[::-1]
    quarters = previous(quarter(today), "quarter", 4)[::-1]
    return [*halves[:1], *quarters, *halves[1:], *years]
