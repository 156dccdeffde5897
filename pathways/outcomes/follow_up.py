"""Measure 8's follow-up windows, in one place.

From the index date, an offence counts when it was **committed on or after the index date
and before the same date a year later**, and **proven before the date 18 months after the
index date**. Months are calendar months; a day that the later month does not have rolls
back to that month's last day (29 February 2024 plus 12 months is 28 February 2025; 31
August 2023 plus 18 months is 28 February 2025). Both bounds are exclusive: an offence
committed on the first anniversary, or proven on the day 18 months on, does not count.

``follow_up_bounds`` is the one definition: given a date it returns dates (for a person's
page, the tests, the docs), given a database expression it returns database expressions
(for the measure's aggregates), through ``add_months``, whose SQL form agrees with its
Python form on SQLite and PostgreSQL (a test checks them day by day across a leap year).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django.db.models import DateField, Func
from django.db.models.expressions import Combinable

FOLLOW_UP_MONTHS = 12  # committed before the same date a year later
PROVEN_WITHIN_MONTHS = 18  # proven before the date 18 months after the index date

T = TypeVar("T")


class AddMonths(Func):
    """``day`` plus a whole number of calendar months, as a database date; a day the
    target month lacks becomes its last day (PostgreSQL's interval arithmetic does this;
    on SQLite the overflow into the next month is detected and rolled back)."""

    output_field = DateField()

    def __init__(self, day: Any, months: int) -> None:
        if not isinstance(months, int) or months < 0:
            raise ValueError("months is a whole number, 0 or more")
        self.months = months
        super().__init__(day)

    def as_sql(
        self, compiler: Any, connection: Any, *args: Any, **extra: Any
    ) -> Any:  # pragma: no cover
        """The project runs on SQLite and PostgreSQL only."""
        raise NotImplementedError(f"AddMonths has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        day, params = compiler.compile(self.source_expressions[0])
        n = self.months
        shifted = f"date({day}, '+{n} months')"
        # The month it should land in; if SQLite's normalising carried past it, take
        # that month's last day.
        landed = f"date({day}, '+{n} months', 'start of month')"
        expected = f"date({day}, 'start of month', '+{n} months')"
        last_day = f"date({day}, 'start of month', '+{n + 1} months', '-1 day')"
        sql = f"(CASE WHEN {landed} = {expected} THEN {shifted} ELSE {last_day} END)"
        return sql, (*params, *params, *params, *params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        day, params = compiler.compile(self.source_expressions[0])
        return f"(CAST(({day}) AS date) + make_interval(months => {self.months}))::date", params


@overload
def add_months(day: datetime.date, months: int) -> datetime.date: ...
@overload
def add_months(day: Combinable, months: int) -> AddMonths: ...
def add_months(day: Any, months: int) -> Any:
    """``day`` plus ``months`` calendar months (the last day of the month if it has no
    such day); a database expression when ``day`` is one."""
    if not isinstance(day, datetime.date):
        return AddMonths(day, months)
    index = day.year * 12 + (day.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Bounds(Generic[T]):
    """Both exclusive: committed on or after the index date and before
    ``committed_before``; proven before ``proven_before``."""

    committed_before: T
    proven_before: T


@overload
def follow_up_bounds(index: datetime.date) -> Bounds[datetime.date]: ...
@overload
def follow_up_bounds(index: Combinable) -> Bounds[AddMonths]: ...
def follow_up_bounds(index: Any) -> Bounds[Any]:
    """The two bounds of the follow-up from ``index`` (a date or a database expression)."""
    return Bounds(
        committed_before=add_months(index, FOLLOW_UP_MONTHS),
        proven_before=add_months(index, PROVEN_WITHIN_MONTHS),
    )


def counts(index: datetime.date, committed_on: datetime.date, proven_on: datetime.date) -> bool:
    """Whether an offence counts in the follow-up from ``index`` (the rule, in Python)."""
    bounds = follow_up_bounds(index)
    return index <= committed_on < bounds.committed_before and proven_on < bounds.proven_before


def window_closed(index: datetime.date, as_of: datetime.date) -> bool:
    """The whole window has passed by ``as_of``: no offence can still come to count."""
    return as_of >= follow_up_bounds(index).proven_before
