"""Server-side SVG charts (matplotlib, no JavaScript). Every chart is shown with its data
table beside it, so the numbers never depend on seeing the picture."""

from __future__ import annotations

import io
import re

import matplotlib
from django.utils.safestring import SafeString, mark_safe

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure

from pathways.plans.selectors import Progress

FIRST_COLOUR = "#505a5f"  # GOV.UK dark grey
LATEST_COLOUR = "#1d70b8"  # GOV.UK blue
TEXT_COLOUR = "#0b0c0c"


# SVG presentation attributes that matplotlib writes as CSS in style attributes.
_PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linejoin",
        "stroke-linecap",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "font-size",
        "font-family",
        "font-weight",
        "font-style",
        "text-anchor",
    }
)


def _presentation(match: re.Match[str]) -> str:
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(
        f'{name.strip()}="{value.strip()}"'
        for name, value in pairs
        if name.strip() in _PRESENTATION
    )


def _clean_svg(raw: str, title: str) -> str:
    """The SVG element alone, labelled as one image for assistive technology.

    The Content Security Policy refuses inline style (style attributes and elements), so
    matplotlib's CSS becomes SVG presentation attributes, which it does not govern.
    """
    svg = raw[raw.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _presentation, svg)
    svg = svg.replace(
        "<svg ",
        '<svg role="img" aria-label="{}" focusable="false" class="app-chart" '
        'stroke-linejoin="round" stroke-linecap="butt" '.format(
            title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        ),
        1,
    )
    return svg


def progress_chart(progress: Progress | None) -> SafeString:
    """Horizontal bars of first against latest score per area; empty until there are two
    readings to compare."""
    if progress is None or not progress.has_change:
        return SafeString("")
    instrument = progress.instrument
    rows = progress.rows
    height = 1.2 + 0.5 * len(rows)
    with rc_context(
        {
            "svg.fonttype": "none",  # text stays text: smaller, and readable by assistive tools
            "svg.hashsalt": "pathways",  # the same chart gives the same SVG
            "font.family": "sans-serif",
            "font.size": 11,
            "text.color": TEXT_COLOUR,
            "axes.labelcolor": TEXT_COLOUR,
            "xtick.color": TEXT_COLOUR,
            "ytick.color": TEXT_COLOUR,
        }
    ):
        figure = Figure(figsize=(8, height))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        bar = 0.38
        axes.barh(
            [p + bar / 2 for p in positions],
            [r.first for r in rows],
            height=bar,
            color=FIRST_COLOUR,
            label=f"First reading, {progress.first.taken_on:%-d %b %Y}",
        )
        axes.barh(
            [p - bar / 2 for p in positions],
            [r.latest for r in rows],
            height=bar,
            color=LATEST_COLOUR,
            label=f"Latest reading, {progress.latest.taken_on:%-d %b %Y}",
        )
        axes.set_yticks(positions, [r.area for r in rows])
        axes.set_xlim(min(instrument.scale_min, 0), instrument.scale_max)
        axes.set_xticks(range(instrument.scale_min, instrument.scale_max + 1))
        axes.set_xlabel(f"Score ({instrument.scale_min} to {instrument.scale_max})")
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, frameon=False)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", bbox_inches="tight")
    title = (
        f"Bar chart of first against latest {instrument.name} scores per area. "
        "The same figures are in the table."
    )
    # Safe: matplotlib escapes every text it writes into the SVG, and the label is escaped.
    return mark_safe(_clean_svg(out.getvalue(), title))  # noqa: S308
