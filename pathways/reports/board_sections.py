"""The RR Board report's sections on equality monitoring and on contract and spend, as the
report's plain data, from counts given (live or frozen) or counted live. Equality figures
are always disclosure-controlled here: the report leaves the manager's view."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pathways.accounts.models import Service
from pathways.contracts.selectors import contract_summary
from pathways.core.periods import Period
from pathways.reports.equality import equality_report

SUPPRESSED = "[c]"


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"£{amount:,.2f}"


def equality_section(
    service: Service, period: Period, *, published: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Equality monitoring, disclosure-controlled; counted live unless the controlled
    counts are given (``outcomes.equality.published_counts``, frozen in a period
    snapshot)."""
    report = equality_report(
        service, period.start, period.end, controlled=True, published=published
    )
    stages = [label for _key, label in report.stages]
    tables = []
    for table in report.tables:
        rows = []
        for row in (*table.rows, table.total):
            cells: list[Any] = [row.label]
            for figure in row.figures:
                if figure.count is None:
                    cells.append(SUPPRESSED)
                else:
                    cells.append(
                        f"{figure.count} ({figure.percent})" if figure.percent else figure.count
                    )
            rows.append(cells)
        tables.append({"caption": table.label, "header": [table.label, *stages], "rows": rows})
    return {
        "key": "equality",
        "title": "Equality monitoring",
        "paragraphs": [
            "Referrals received in the half-year, by each protected characteristic, and how "
            "many reached each stage by its end, with the rate against referrals in brackets. "
            '"Into work" is the people who started a job in the half-year, whenever they were '
            "referred (the job-start measure's count), without a rate.",
            report.legend,
        ],
        "tables": tables,
    }


def contract_section(
    service: Service, period: Period, *, starts: dict[str, int] | None = None
) -> dict[str, Any]:
    """The contract, read live; the starts it divides by are counted live unless given
    (frozen in a period snapshot)."""
    summary = contract_summary(service, period.start, period.end, starts=starts)
    section: dict[str, Any] = {"key": "contract", "title": "Contract and spend", "tables": []}
    if summary is None:
        section["paragraphs"] = ["No contract has been recorded for the service."]
        return section
    contract = summary.contract
    section["paragraphs"] = [
        f"{contract.provider}, commissioned by {contract.commissioner}, from "
        f"{contract.start_date:%-d %B %Y}; the pilot ends {contract.pilot_end_date:%-d %B %Y} "
        f"and the contract, with the extensions taken, {summary.term_end:%-d %B %Y}.",
    ]
    # As at the half-year's last day, so the report says the same whenever it is made.
    alert = summary.alert(period.end)
    if alert:
        section["paragraphs"].insert(0, f"Warning: {alert}")
    if not summary.value_recorded:
        section["paragraphs"].append(
            "No contract value is recorded for any day of the half-year, so no cost per "
            "participant, placement or job start is available."
        )

    def cost(amount: Decimal | None) -> str:
        if not summary.value_recorded:
            return "Not available"
        return "None started" if amount is None else _money(amount)

    section["tables"] = [
        {
            "caption": "Value and spend in the half-year",
            "header": ["Item", "Amount"],
            "rows": [
                [
                    "Contract value for the half-year (by days)",
                    _money(summary.value)
                    if summary.value_recorded
                    else "No contract value recorded",
                ],
                [f"Payments made ({summary.payments_count})", _money(summary.payments)],
                [
                    f"Cost per participant started ({summary.participants_started})",
                    cost(summary.cost_per_participant),
                ],
                [
                    f"Cost per placement started ({summary.placements_started})",
                    cost(summary.cost_per_placement),
                ],
                [f"Cost per job start ({summary.job_starts})", cost(summary.cost_per_job)],
            ],
        },
        {
            "caption": "Co-funders",
            "header": ["Funder", "Share"],
            "rows": [
                [
                    funder.name,
                    f"{funder.share_percent}%"
                    if funder.share_percent is not None
                    else _money(funder.share_amount),
                ]
                for funder in summary.co_funders
            ],
        },
        {
            "caption": "Milestones",
            "header": ["Milestone", "Planned", "Happened"],
            "rows": [
                [
                    milestone.name,
                    f"{milestone.planned_on:%-d %b %Y}" if milestone.planned_on else "",
                    f"{milestone.actual_on:%-d %b %Y}" if milestone.actual_on else "",
                ]
                for milestone in summary.milestones
            ],
        },
    ]
    return section
