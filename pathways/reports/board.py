"""The RR Board report's figures: computed once, kept as plain data, and rendered as the
page, the PDF and the spreadsheet from that one copy, so the three always agree.

Figures are as at the last day of the half-year (``as_of``), so generating a closed
half-year again gives the same figures unless the records of that half-year change. They
change when a purge deletes records under the retention schedule, so before a purge the
figures of every closed named period it touches are frozen (``outcomes.snapshots``): the
measures and ``record_figures`` (every other figure counted from people's or employers'
records). A frozen half-year's report is built from its snapshot; only the targets, the
contract's terms, value and payments, and the commentary are read live (they are not
deleted by any purge). Nothing here names a person: the report is counts, shares and
averages only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.contracts.selectors import start_counts
from pathways.core.periods import Period
from pathways.employers.models import Engagement, OpportunityKind
from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.models import PeriodSnapshot
from pathways.outcomes.selectors import (
    MeasureResult,
    measures_for_period,
    referrals_by,
    snapshot_for,
)
from pathways.placements.selectors import opportunities_created, placement_participant_counts
from pathways.plans.selectors import default_instrument, distance_travelled
from pathways.reports.board_sections import contract_section, equality_section

Progress = Callable[[int, str], None]

Table = dict[str, Any]
Section = dict[str, Any]


def _table(caption: str, header: list[str], rows: list[list[Any]]) -> Table:
    return {"caption": caption, "header": header, "rows": rows}


def _share(numerator: int | None, denominator: int | None) -> str:
    if numerator is None or not denominator:
        return ""
    return f"{numerator / denominator:.0%}"


def _value(result: MeasureResult) -> Any:
    value = result.figure.value
    return "" if value is None else value


def _summary(results: dict[str, MeasureResult], period: Period) -> Section:
    def v(key: str) -> Any:
        return _value(results[key])

    return {
        "key": "summary",
        "title": "Summary",
        "paragraphs": [
            f"In {period}, the service received {v('referrals_received')} referrals and "
            f"{v('starts')} people started support. {v('placement_starts')} people started a "
            f"placement and {v('job_starts')} started a job. At the end of the half-year "
            f"{v('caseload')} people were receiving support.",
        ],
        "tables": [],
    }


def _activity(results: dict[str, MeasureResult], counted: dict[str, Any]) -> Section:
    keys = ("referrals_received", "referrals_accepted", "starts", "caseload", "waiting_time")
    rows = [[BY_KEY[key].name, _value(results[key])] for key in keys]
    attrition = results["attrition"].figure
    return {
        "key": "activity",
        "title": "Activity",
        "paragraphs": [],
        "tables": [
            _table("Referrals and support", ["Measure", "Figure"], rows),
            _table("Referrals received by source", ["Source", "Referrals"], counted["by_source"]),
            _table("Referrals received by group", ["Group", "Referrals"], counted["by_cohort"]),
            _table(
                "Support ended, by reason group",
                ["Group", "Ended"],
                [list(row) for row in attrition.breakdown],
            ),
        ],
    }


def _measures(results: list[MeasureResult]) -> Section:
    rows = []
    for result in results:
        figure = result.figure
        targets = "; ".join(f"{t.kind_label} {t.value:g}" for t in result.targets)
        rows.append(
            [
                result.measure.title,
                _value(result),
                "" if figure.denominator is None else figure.denominator,
                _share(figure.numerator, figure.denominator),
                targets,
                result.status,
            ]
        )
    return {
        "key": "measures",
        "title": "Measures against targets",
        "paragraphs": [
            f"{result.measure.title}: {result.figure.note}"
            for result in results
            if result.figure.note
        ],
        "tables": [
            _table(
                "Every measure for the half-year",
                ["Measure", "Figure", "Out of", "Share", "Target", "Status"],
                rows,
            )
        ],
    }


def _distance(service: Service, period: Period) -> Section:
    instrument = default_instrument()
    section: Section = {"key": "distance", "title": "Distance travelled", "tables": []}
    if instrument is None:
        section["paragraphs"] = ["No distance-travelled tool is in use."]
        return section
    figures = distance_travelled(service, period.start, period.end, instrument)
    section["paragraphs"] = [
        f"{figures.counted} people had at least two {instrument.name} readings by the end of "
        "the half-year with the latest in it; their first reading is compared with the latest."
    ]
    section["tables"] = [
        _table(
            "Overall movement",
            ["Movement", "People", "Share"],
            [[label, count, _share(count, figures.counted)] for label, count, _ in figures.shares],
        ),
        _table(
            "By area",
            ["Area", "Average first score", "Average change"],
            [
                [row.area, round(row.average_start, 1), round(row.average_change, 1)]
                for row in figures.areas
            ],
        ),
    ]
    return section


def _placements(service: Service, period: Period) -> Section:
    created = opportunities_created(service, period.start, period.end)
    people = placement_participant_counts(service, period.start, period.end)
    engaged = (
        Engagement.objects.filter(employer__service=service)
        .filter(period.q("on"))
        .aggregate(n=Count("employer", distinct=True))["n"]
    )
    return {
        "key": "placements",
        "title": "Placements and employers",
        "paragraphs": [f"{engaged} employers were engaged with in the half-year."],
        "tables": [
            _table(
                "Opportunities created",
                ["Kind", "Created"],
                [[OpportunityKind(kind).label, n] for kind, n in created.items()],
            ),
            _table(
                "People and placements",
                ["Stage", "People"],
                [
                    ["Put forward", people["put_forward"]],
                    ["Started", people["started"]],
                    ["Completed", people["completed"]],
                ],
            ),
        ],
    }


def record_figures(service: Service, period: Period) -> dict[str, Any]:
    """Every figure of the report counted from people's or employers' records, apart from
    the measures: what a period snapshot keeps (plain data, JSON-ready)."""
    return {
        "by_source": [list(row) for row in referrals_by(service, period, "source")],
        "by_cohort": [list(row) for row in referrals_by(service, period, "cohort")],
        "distance": _distance(service, period),
        "placements": _placements(service, period),
        "equality": equality_section(service, period),
        "contract_starts": start_counts(service, period.start, period.end),
    }


def build(
    service: Service,
    period: Period,
    *,
    commentary: str,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Every figure of the report, as plain data (JSON-ready). A period whose figures were
    frozen gives them from its snapshot."""
    progress = on_progress or (lambda _percent, _note: None)
    as_of = period.end
    progress(10, "Computing the measures")
    snapshot = snapshot_for(service, period)
    results = measures_for_period(service, period, as_of=as_of)
    by_key = {result.measure.key: result for result in results}
    progress(40, "Activity, distance travelled, placements and equality monitoring")
    counted = snapshot.figures["board"] if snapshot else record_figures(service, period)
    progress(65, "Contract and spend")
    sections = [
        _summary(by_key, period),
        _activity(by_key, counted),
        _measures(results),
        counted["distance"],
        counted["placements"],
        counted["equality"],
        contract_section(service, period, starts=counted["contract_starts"]),
        {
            "key": "commentary",
            "title": "Commentary",
            "paragraphs": [part for part in commentary.splitlines() if part.strip()]
            or ["The manager has not written a commentary for this half-year."],
            "tables": [],
        },
    ]
    return {
        "service": service.name,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": str(period),
        },
        "as_of": as_of.isoformat(),
        "as_of_text": f"{as_of:%-d %B %Y}",
        "frozen_text": frozen_text(snapshot) if snapshot else "",
        "generated_at": timezone.now().isoformat(),
        "generated_text": f"{timezone.localtime():%-d %B %Y, %H:%M}",
        "sections": sections,
    }


def frozen_text(snapshot: PeriodSnapshot) -> str:
    """What the report says of a frozen period's figures."""
    return (
        f"Figures frozen on {timezone.localtime(snapshot.taken_at):%-d %B %Y}, {snapshot.why}; "
        "the targets and the contract's value and payments are as recorded now."
    )


def period_of(figures: dict[str, Any]) -> Period:
    return Period(
        datetime.date.fromisoformat(figures["period"]["start"]),
        datetime.date.fromisoformat(figures["period"]["end"]),
        figures["period"]["label"],
    )
