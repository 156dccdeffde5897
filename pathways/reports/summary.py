"""The commissioner's home: the figures they are owed, read from where they already are.

The last closed half-year is shown from its RR Board report (the latest one generated, its
figures as kept on the report: nothing is counted again); until the manager has generated
one, from the same measures the report would hold (``outcomes.selectors.measures_for_period``,
database aggregates, or the period's frozen snapshot, or its kept figures: ``outcomes.kept``,
counted once as at its last day). The half-year in progress is the same call as at today,
each target judged pro rata ("in progress"). Each is counted as at the day the pages count
it as at (``outcomes.kept.counted_as_at``)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pathways.accounts.models import Service
from pathways.core import periods
from pathways.outcomes.kept import counted_as_at
from pathways.outcomes.selectors import (
    STATUS_WORDS,
    MeasureResult,
    measures_for_period,
)
from pathways.reports import board
from pathways.reports.models import BoardReport, ReportStatus

# The columns of the report's "Measures against targets" table (``board.measures``).
MEASURE, FIGURE, OUT_OF, SHARE, INTERMEDIATE, LONG_TERM, STATUS = range(7)


@dataclass(frozen=True)
class MeasureRow:
    """One measure as the home page shows it, from a report's table or a live result."""

    title: str
    figure: Any
    out_of: Any
    share: str
    targets: str
    status: str


@dataclass
class HalfYear:
    period: periods.Period
    rows: list[MeasureRow]
    report: BoardReport | None = None
    summary: str = ""
    as_of: datetime.date | None = None
    statuses: list[tuple[str, str, int]] = field(default_factory=list)


def _tally(rows: list[MeasureRow]) -> list[tuple[str, str, int]]:
    """(status, its words, how many measures have it), in the order of ``STATUS_WORDS``."""
    counts = Counter(row.status for row in rows if row.status)
    return [
        (status, words, counts[status]) for status, words in STATUS_WORDS.items() if counts[status]
    ]


def _rows(measures_section: dict[str, Any]) -> list[MeasureRow]:
    """The rows of the report's "Measures against targets" table (``board.measures``)."""
    tables = measures_section.get("tables", [])
    rows = []
    for row in tables[0]["rows"] if tables else []:
        targets = [
            f"{label}: {row[column]}"
            for label, column in (("Intermediate", INTERMEDIATE), ("Long-term", LONG_TERM))
            if row[column] != ""
        ]
        rows.append(
            MeasureRow(
                title=row[MEASURE],
                figure=row[FIGURE],
                out_of=row[OUT_OF],
                share=row[SHARE],
                targets="; ".join(targets),
                status=row[STATUS],
            )
        )
    return rows


def _from_report(report: BoardReport) -> tuple[str, list[MeasureRow]]:
    """The summary and the measures as the report keeps them: nothing counted again."""
    sections = {section["key"]: section for section in report.figures.get("sections", [])}
    summary = " ".join(sections.get("summary", {}).get("paragraphs", []))
    return summary, _rows(sections.get("measures", {}))


def _from_results(
    results: list[MeasureResult], period: periods.Period
) -> tuple[str, list[MeasureRow]]:
    """The summary and the measures formatted by the report's own functions from the
    measures counted now, so they read as the report will."""
    by_key = {result.measure.key: result for result in results}
    return " ".join(board.summary(by_key, period)["paragraphs"]), _rows(board.measures(results))


def latest_report(service: Service, period: periods.Period) -> BoardReport | None:
    """The most recently generated RR Board report of the period that is ready (an updated
    edition over the first), without its documents."""
    return (
        BoardReport.objects.filter(
            service=service,
            period_start=period.start,
            period_end=period.end,
            status=ReportStatus.DONE,
        )
        .defer("pdf", "xlsx")
        .order_by("-finished_at", "-id")
        .first()
    )


def last_closed(service: Service, today: datetime.date) -> HalfYear:
    period = periods.half_year(periods.half_year(today).start - datetime.timedelta(days=1))
    report = latest_report(service, period)
    if report is not None:
        summary, rows = _from_report(report)
        as_of = datetime.date.fromisoformat(report.figures.get("as_of", period.end.isoformat()))
        return HalfYear(period, rows, report, summary, as_of, _tally(rows))
    as_of = counted_as_at(period, today)
    summary, rows = _from_results(measures_for_period(service, period, as_of=as_of), period)
    return HalfYear(period, rows, None, summary, as_of, _tally(rows))


def in_progress(service: Service, today: datetime.date) -> HalfYear:
    period = periods.half_year(today)
    as_of = counted_as_at(period, today)
    summary, rows = _from_results(measures_for_period(service, period, as_of=as_of), period)
    return HalfYear(period, rows, None, summary, as_of, _tally(rows))
