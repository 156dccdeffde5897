"""Server-side SVG charts (matplotlib, no JavaScript). Every chart is shown with its data
table beside it, so the numbers never depend on seeing the picture."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

GREY = "#505a5f"  # GOV.UK dark grey
BLUE = "#1d70b8"  # GOV.UK blue
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is told apart without colour (WCAG 1.4.1): its own marker shape, its
    own fill pattern, and its values written beside it, as well as its colour."""

    colour: str
    marker: str  # matplotlib marker: "o" circle, "D" diamond, "s" square, "^" triangle
    hatch: str  # matplotlib hatch pattern; "" is solid


# The series of a chart take these in order: every one differs in marker and pattern.
SERIES: tuple[SeriesStyle, ...] = (
    SeriesStyle(colour=GREY, marker="o", hatch="///"),
    SeriesStyle(colour=BLUE, marker="D", hatch=""),
    SeriesStyle(colour="#00703c", marker="s", hatch="..."),
    SeriesStyle(colour="#d4351c", marker="^", hatch="xx"),
)


@contextmanager
def chart(width: float, height: float) -> Iterator[Figure]:
    """A figure in the house style."""
    with rc_context(
        {
            "svg.fonttype": "none",  # text stays text: smaller, and readable by assistive tools
            "svg.hashsalt": "pathways",  # the same chart gives the same SVG
            "font.family": "sans-serif",
            "font.size": 12,
            "text.color": TEXT,
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
        }
    ):
        yield Figure(figsize=(width, height))


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


def to_svg(figure: Figure, title: str) -> SafeString:
    """The SVG element alone, labelled as one image for assistive technology.

    The Content Security Policy refuses inline style (style attributes and elements), so
    matplotlib's CSS becomes SVG presentation attributes, which it does not govern.
    """
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    raw = out.getvalue()
    svg = raw[raw.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _presentation, svg)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(title)}" focusable="false" class="app-chart" '
        'stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )
    # Safe: matplotlib escapes every text it writes into the SVG, and the label is escaped.
    return mark_safe(svg)  # noqa: S308


# How long a drawn chart is kept. Drawing with matplotlib takes 60 to 80 ms; a chart's key
# holds everything it shows, so a kept chart is never stale: new figures make a new key.
KEPT_SECONDS = 24 * 60 * 60


def kept(key: str, draw: Callable[[], SafeString]) -> SafeString:
    """The chart under ``key`` from Django's cache, drawn (and kept) only when missing. The
    key must change whenever what the chart shows changes, and hold nothing personal."""
    svg = cache.get(key)
    if svg is None:
        svg = str(draw())
        cache.set(key, svg, KEPT_SECONDS)
    # Safe: only ever an SVG that to_svg made (escaped text) is kept under a chart's key.
    return mark_safe(svg)  # noqa: S308


def trend_chart(title: str, labels: list[str], values: Sequence[float | None]) -> SafeString:
    """Columns of one figure over successive periods (a missing figure is left out). Kept
    by its title, labels and figures: a closed period's figures do not change, so its chart
    is drawn once; an open period's is drawn again only when a figure moves."""
    digest = hashlib.sha256(repr((title, labels, values)).encode()).hexdigest()
    return kept(f"charts:trend:v3:{digest}", lambda: _draw_trend(title, labels, values))


# The least space between two neighbouring period labels, in inches.
LABEL_GAP = 0.12


def _draw_trend(title: str, labels: list[str], values: Sequence[float | None]) -> SafeString:
    with chart(8, 3.2) as figure:
        _plot_trend(figure, labels, values)
        return to_svg(figure, f"{title}. The same figures are in the table.")


def _plot_trend(figure: Figure, labels: list[str], values: Sequence[float | None]) -> Axes:
    """Draw the columns and widen the figure until no two period labels overlap, whatever
    the number of periods and however long their labels (the page scrolls a wide chart in
    its own region)."""
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    shown = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
    axes.bar([p for p, _ in shown], [v for _, v in shown], color=BLUE, width=0.6)
    for p, v in shown:
        axes.annotate(f"{v:g}", (p, v), ha="center", va="bottom", fontsize=10)
    # A period's label on two lines, broken after its en dash: narrower than on one.
    axes.set_xticks(
        positions, [label.replace("\N{EN DASH}", "\N{EN DASH}\n", 1) for label in labels]
    )
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_ylim(bottom=0)
    axes.margins(y=0.15)
    if labels:
        axes.set_xlim(-0.6, len(labels) - 0.4)
        _fit_labels(figure, axes)
    return axes


def _fit_labels(figure: Figure, axes: Axes) -> None:
    """Widen the figure so that the ticks are at least the widest label (and a gap) apart."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    widest = max(label.get_window_extent(renderer).width for label in axes.get_xticklabels())
    needed = widest / figure.dpi + LABEL_GAP  # inches between neighbouring ticks
    low, high = axes.get_xlim()
    fraction = axes.get_position().width  # of the figure's width
    width = needed * (high - low) / fraction
    if width > figure.get_figwidth():
        figure.set_size_inches(width, figure.get_figheight())


def label_boxes(labels: list[str]) -> list[tuple[float, float]]:
    """Where a trend chart of ``labels`` puts each period label: (left, right) in inches,
    in order. For tests of the geometry."""
    with chart(8, 3.2) as figure:
        axes = _plot_trend(figure, labels, [1.0] * len(labels))
        renderer = FigureCanvasAgg(figure).get_renderer()
        boxes = [label.get_window_extent(renderer) for label in axes.get_xticklabels()]
        return [(box.x0 / figure.dpi, box.x1 / figure.dpi) for box in boxes]
