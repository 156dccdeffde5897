"""The RR Board report's figures: computed once, kept as plain data, and rendered as the
page, the PDF and the spreadsheet from that one copy, so the three always agree.

Figures are as at the last day of the half-year (``as_of``), so generating a closed
half-year again gives the same figures unless the records of that half-year change. They
change when a purge deletes records under the retention schedule, so before a purge the
figures of every closed named period it touches are frozen (``outcomes.snapshots``): the
measures and the raw counts of ``outcomes.figures.record_figures`` (every other figure
counted from people's or employers' records). The sections (titles, captions, labels,
formatted shares and money) are built here from those raw counts by one function,
``sections``, whether they were counted now or frozen, so a frozen half-year's report reads
as it did before the purge; only the targets, the contract's terms, value and payments, and
the commentary are read live (they are not deleted by any purge). Nothing here names a
person: the report is counts, shares and averages only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from pathways.accounts.models import Service
from pathways.core.periods import Period
from pathways.employers.models import OpportunityKind
from pathways.outcomes.figures import (
    CHOICES,
    SECTOR_COLUMNS,
    SECTOR_GROUPS,
    mentoring_text,
    record_figures,
)
from pathways.outcomes.measures import BY_KEY, TargetUnit
from pathways.outcomes.models import PeriodSnapshot, TargetKind
from pathways.outcomes.selectors import (
    MeasureResult,
    TargetResult,
    facts_recorded_after,
    held,
    measures_for_period,
)
from pathways.plans.selectors import MOVEMENTS
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


def summary(results: dict[str, MeasureResult], period: Period) -> Section:
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


def _labelled(counts: dict[str, int], field: str) -> list[list[Any]]:
    return [[label, counts[value]] for value, label in CHOICES[field]]


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
            _table(
                "Referrals received by source",
                ["Source", "Referrals"],
                _labelled(counted["referrals_by_source"], "source"),
            ),
            _table(
                "Referrals received by group",
                ["Group", "Referrals"],
                _labelled(counted["referrals_by_cohort"], "cohort"),
            ),
            _table(
                "Support ended, by reason group",
                ["Group", "Ended"],
                [list(row) for row in attrition.breakdown],
            ),
        ],
    }


def _target_cell(target: TargetResult) -> str | int | float:
    if target.unit == TargetUnit.RATE:
        return target.shown
    value = float(target.value)
    return int(value) if value.is_integer() else value


def measures(results: list[MeasureResult]) -> Section:
    rows = []
    for result in results:
        figure = result.figure
        # Each kind of target in its own column: a count as a number, a rate as "60%"
        # (a numeric cell with a percent format in the spreadsheet).
        targets = {t.kind: _target_cell(t) for t in result.targets}
        rows.append(
            [
                result.measure.title,
                _value(result),
                "" if figure.denominator is None else figure.denominator,
                _share(figure.numerator, figure.denominator),
                targets.get(TargetKind.INTERMEDIATE, ""),
                targets.get(TargetKind.LONG_TERM, ""),
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
                [
                    "Measure",
                    "Figure",
                    "Out of",
                    "Share",
                    "Intermediate target",
                    "Long-term target",
                    "Status",
                ],
                rows,
            )
        ],
    }


def _distance(figures: dict[str, Any] | None) -> Section:
    section: Section = {"key": "distance", "title": "Distance travelled", "tables": []}
    if figures is None:
        section["paragraphs"] = ["No distance-travelled tool is in use."]
        return section
    counted = figures["counted"]
    section["paragraphs"] = [
        f"{counted} people had at least two {figures['instrument']} readings by the end of "
        "the half-year with the latest in it; their first reading is compared with the latest."
    ]
    section["tables"] = [
        _table(
            "Overall movement",
            ["Movement", "People", "Share"],
            [[label, figures[key], _share(figures[key], counted)] for key, label in MOVEMENTS],
        ),
        _table(
            "By area",
            ["Area", "Average first score", "Average change"],
            [
                [row["area"], round(row["average_start"], 1), round(row["average_change"], 1)]
                for row in figures["areas"]
            ],
        ),
    ]
    return section


def _placements(figures: dict[str, Any]) -> Section:
    created = figures["opportunities_created"]
    people = figures["people"]
    paragraphs = [f"{figures['employers_engaged']} employers were engaged with in the half-year."]
    tables = [
        _table(
            "Opportunities created",
            ["Kind", "Created"],
            [[kind.label, created[kind.value]] for kind in OpportunityKind],
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
    ]
    # Figures frozen before the sector and mentoring figures were kept have neither.
    if "by_sector" in figures:
        tables.append(_sectors(figures["by_sector"]))
    if "mentoring" in figures:
        paragraphs.append(mentoring_text(figures["mentoring"]))
        tables.append(_mentoring(figures["mentoring"]))
    return {
        "key": "placements",
        "title": "Placements and employers",
        "paragraphs": paragraphs,
        "tables": tables,
    }


def _sectors(by_sector: dict[str, dict[str, int]]) -> Table:
    """Construction first: employers engaged, opportunities created, people starting
    placements and jobs, by sector group."""
    return _table(
        "By sector: construction first",
        ["Sector", *SECTOR_COLUMNS.values()],
        [
            [label, *(by_sector[group][key] for key in SECTOR_COLUMNS)]
            for group, label in SECTOR_GROUPS
        ],
    )


def _mentoring(mentoring: dict[str, int]) -> Table:
    placements = mentoring["placements"]
    return _table(
        "Mentoring in the first four weeks of a placement",
        ["Figure", "Value"],
        [
            ["Placements whose first four weeks had ended", placements],
            ["With a contact in their first four weeks", mentoring["with_contact"]],
            ["Share with a contact", _share(mentoring["with_contact"], placements)],
            ["Contacts in their first four weeks", mentoring["contacts"]],
            [
                "Contacts per placement",
                round(mentoring["contacts"] / placements, 1) if placements else "",
            ],
            ["Placements still in their first four weeks", mentoring["in_first_weeks"]],
        ],
    )


def sections(
    service: Service,
    period: Period,
    results: list[MeasureResult],
    counted: dict[str, Any],
    *,
    commentary: str,
) -> list[Section]:
    """The report's sections, from the measures and the raw counts of
    ``outcomes.figures.record_figures``, counted now or frozen alike; the contract is
    read live."""
    by_key = {result.measure.key: result for result in results}
    return [
        summary(by_key, period),
        _activity(by_key, counted),
        measures(results),
        _distance(counted["distance"]),
        _placements(counted["placements"]),
        equality_section(service, period, published=counted["equality"]),
        contract_section(service, period, starts=counted["starts"]),
        {
            "key": "commentary",
            "title": "Commentary",
            "paragraphs": [part for part in commentary.splitlines() if part.strip()]
            or ["The manager has not written a commentary for this half-year."],
            "tables": [],
        },
    ]


def build(
    service: Service,
    period: Period,
    *,
    commentary: str,
    on_progress: Progress | None = None,
    as_of: datetime.date | None = None,
) -> dict[str, Any]:
    """Every figure of the report, as plain data (JSON-ready). A period whose figures were
    frozen gives them from its snapshot (refused if it is kept in an older shape:
    ``outcomes.figures.FrozenFiguresUnreadable``); the first edition of a half-year that
    has ended reads its kept figures (``outcomes.kept``: counted once, as at its last day).

    The first edition is as at the half-year's last day (``as_of`` None): it counts only
    the facts recorded by then, so it gives the same figures whenever it is generated, and
    says how many facts about the half-year were recorded after it ended. An updated
    edition (``as_of`` a later day) counts them, and says it is one."""
    progress = on_progress or (lambda _percent, _note: None)
    updated = as_of is not None and as_of > period.end
    as_of = as_of if updated and as_of is not None else period.end
    progress(10, "Computing the measures")
    # Frozen, or (the first edition of a half-year that has ended) kept: ``outcomes.kept``.
    source = held(service, period, as_of)
    snapshot = source.snapshot
    late = sum(facts_recorded_after(service, period).values())
    results = measures_for_period(service, period, as_of=as_of, source=source)
    progress(40, "Activity, distance travelled, placements and equality monitoring")
    kept_records = source.records()
    counted = kept_records if kept_records is not None else record_figures(service, period)
    progress(65, "Contract and spend")
    report_sections = sections(service, period, results, counted, commentary=commentary)
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
        "edition_text": edition_text(period, as_of) if updated else "",
        "late_text": "" if updated else late_text(late),
        "generated_at": timezone.now().isoformat(),
        "generated_text": f"{timezone.localtime():%-d %B %Y, %H:%M}",
        "sections": report_sections,
    }


def edition_text(period: Period, as_of: datetime.date) -> str:
    """What an updated edition says of itself."""
    return (
        f"Updated edition: figures as at {as_of:%-d %B %Y}, counting facts about "
        f"{period} recorded after it ended. The first edition's figures are as at "
        f"{period.end:%-d %B %Y}."
    )


def late_text(late: int) -> str:
    """What the first edition says of the facts recorded after the half-year ended."""
    if not late:
        return "No facts about this half-year have been recorded since it ended."
    facts = "fact" if late == 1 else "facts"
    return (
        f"{late} {facts} about this half-year (orders ended, sustainment checks due, readings "
        "taken, proven offences of people who started in it) were recorded after it ended and "
        "are not in these figures; an updated edition counts them."
    )


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
