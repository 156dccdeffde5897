"""The tapering chart: contacts per person in each month since the start of support and
since a job start, two series drawn apart by marker and line as well as colour. Shown
with its table, which holds the same figures."""

from __future__ import annotations

import hashlib

from django.utils.safestring import SafeString

from pathways.contacts.selectors import Tapering
from pathways.core.charts import SERIES, chart, kept, to_svg

LINES = ("-", "--")


def tapering_chart(figures: Tapering) -> SafeString:
    """Kept by the figures it shows (counts only, nothing personal)."""
    series = [
        ("Since the start of support", [row.per_person for row in figures.since_start]),
        ("Since a job start", [row.per_person for row in figures.since_job]),
    ]
    digest = hashlib.sha256(repr(series).encode()).hexdigest()
    return kept(f"contacts:tapering-chart:v1:{digest}", lambda: _render(series))


def _render(series: list[tuple[str, list[float | None]]]) -> SafeString:
    with chart(8, 3.4) as figure:
        axes = figure.add_subplot()
        months = list(range(1, len(series[0][1]) + 1))
        for (label, values), style, line in zip(series, SERIES, LINES, strict=False):
            shown = [(m, v) for m, v in zip(months, values, strict=True) if v is not None]
            axes.plot(
                [m for m, _ in shown],
                [v for _, v in shown],
                color=style.colour,
                marker=style.marker,
                linestyle=line,
                label=label,
            )
        axes.set_xticks(months)
        axes.set_xlabel("Month")
        axes.set_ylabel("Contacts per person")
        axes.set_ylim(bottom=0)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(frameon=False)
        return to_svg(
            figure,
            "Line chart of contacts per person in each month since the start of support and "
            "since a job start. The same figures are in the table.",
        )
