"""Equality monitoring tables: how far people of each group get through the service.

Definitions in docs/measures.md, "Equality monitoring". The counts come from
``outcomes.equality`` (one aggregate query per characteristic), or from a period snapshot
when they were frozen. ``equality_report(service, start, end)`` by default applies
disclosure control (``outcomes.disclosure``) to them, so that what it returns may leave the
manager's view. ``controlled=False`` gives the manager's working figures, not for
publication. The labels and rates are worked out here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from pathways.accounts.models import Service
from pathways.outcomes import disclosure
from pathways.outcomes.equality import (
    CHARACTERISTICS,
    INTO_WORK,
    STAGES,
    Characteristic,
    Shown,
    raw_counts,
    shown_counts,
)


@dataclass(frozen=True)
class Figure:
    """One cell: a count and its rate (share of the row's referrals), either of which may
    be withheld (None) by disclosure control."""

    count: int | None
    rate: float | None
    suppressed: bool = False

    @property
    def percent(self) -> str:
        return "" if self.rate is None else f"{self.rate * 100:.0f}%"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    rows: tuple[Row, ...]
    total: Row


@dataclass(frozen=True)
class EqualityReport:
    service_name: str
    start: datetime.date
    end: datetime.date
    stages: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]
    controlled: bool
    threshold: int
    min_rate_denominator: int = disclosure.MIN_RATE_DENOMINATOR

    @property
    def legend(self) -> str:
        """What [c] means: the same words on the page, in the PDF and in the spreadsheet."""
        return (
            f"[c] is a figure withheld to protect confidentiality: a count from 1 to "
            f"{self.threshold}, or a count hidden so that one of those cannot be worked out "
            "(from the totals, or from the other stages of its group). A zero that follows "
            "from another (nothing completed where nobody was referred) is shown. A "
            f"percentage is shown only for a group of {self.min_rate_denominator} or more "
            "referrals."
        )

    @property
    def referred(self) -> int | None:
        """Referrals received in the period (the total of every table)."""
        return self.tables[0].total.figures[0].count if self.tables else 0


def _table(characteristic: Characteristic, shown: Shown, controlled: bool) -> Table:
    """One characteristic's table, from its counts as they may be shown (None where
    disclosure control withheld one)."""
    keys = [key for key, _ in STAGES]

    def figures(values: list[int | None]) -> tuple[Figure, ...]:
        referred = values[0]
        return tuple(
            Figure(
                count=value,
                # "Into work" counts the period's job starts, not its referrals: no rate.
                rate=None
                if i == 0 or keys[i] == INTO_WORK
                else (
                    disclosure.rate(value, referred)
                    if controlled
                    else (value / referred if referred and value is not None else None)
                ),
                suppressed=value is None,
            )
            for i, value in enumerate(values)
        )

    rows = tuple(
        Row(
            key=category,
            label=label,
            figures=figures([shown["rows"][category][stage] for stage in keys]),
        )
        for category, label in characteristic.categories
    )
    total = Row(
        key="all",
        label="All referrals",
        figures=figures([shown["total"][stage] for stage in keys]),
    )
    return Table(characteristic.key, characteristic.label, rows, total)


def equality_report(
    service: Service,
    start: datetime.date,
    end: datetime.date,
    *,
    controlled: bool = True,
    published: dict[str, Any] | None = None,
) -> EqualityReport:
    """The equality monitoring tables of the service for the period, disclosure-controlled
    unless ``controlled`` is False (the manager's working view only). ``published`` gives
    the controlled counts of ``outcomes.equality.published_counts`` when they are already
    known (frozen in a period snapshot)."""
    if published is None:
        limit = disclosure.threshold()
        counts = raw_counts(service, start, end)
        tables = shown_counts(counts, controlled=controlled, limit=limit)
    elif controlled:
        limit, tables = published["threshold"], published["tables"]
    else:
        raise ValueError("Published equality counts are disclosure-controlled.")
    return EqualityReport(
        service_name=service.name,
        start=start,
        end=end,
        stages=STAGES,
        tables=tuple(_table(c, tables[c.key], controlled) for c in CHARACTERISTICS),
        controlled=controlled,
        threshold=limit,
    )
