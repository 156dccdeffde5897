"""The distance-travelled chart: first against latest reading per area.

Rendering with matplotlib takes 60 to 70 ms, and the chart shows on every view of the
person's page and the progress page, so the SVG is cached (Django's cache). The key holds
ids and a count only, nothing personal: the instrument, the first and latest readings and
how many there are. Readings are never changed once taken, so a new reading (a new latest
id and count) is the only change to the figures, and it changes the key. A change to the
instrument's areas in the admin shows within a day (the timeout).
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from pathways.core.charts import SERIES, chart, kept, to_svg
from pathways.plans.selectors import Progress


def cache_key(progress: Progress) -> str:
    return (
        f"plans:progress-chart:v2:{progress.instrument.pk}:{progress.first.pk}:"
        f"{progress.latest.pk}:{progress.count}"
    )


def progress_chart(progress: Progress | None) -> SafeString:
    """Horizontal bars of first against latest score per area; empty until there are two
    readings to compare. Cached (see the module's note)."""
    if progress is None or not progress.has_change:
        return SafeString("")
    return kept(cache_key(progress), lambda: _render(progress))


def _render(progress: Progress) -> SafeString:
    instrument = progress.instrument
    rows = progress.rows
    height = 1.6 + 0.5 * len(rows)
    with chart(8, height) as figure:
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        bar = 0.38
        series = (
            (f"First reading, {progress.first.taken_on:%-d %b %Y}", [r.first for r in rows], +1),
            (f"Latest reading, {progress.latest.taken_on:%-d %b %Y}", [r.latest for r in rows], -1),
        )
        # Each series by its colour, its fill pattern and the marker at the end of its bars,
        # in the legend too; each bar's score is written beside it (no colour needed).
        handles: list[tuple[Patch, Line2D]] = []
        labels: list[str] = []
        for style, (label, values, side) in zip(SERIES, series, strict=False):
            ys = [p + side * bar / 2 for p in positions]
            axes.barh(
                ys,
                values,
                height=bar,
                color=style.colour,
                hatch=style.hatch,
                edgecolor="white" if style.hatch else style.colour,
                linewidth=0,
            )
            axes.plot(
                values,
                ys,
                linestyle="none",
                marker=style.marker,
                markersize=8,
                color=style.colour,
                markeredgecolor="white",
                markeredgewidth=1,
            )
            for value, y in zip(values, ys, strict=True):
                axes.annotate(
                    f"{value:g}",
                    (value, y),
                    xytext=(7, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=11,
                )
            handles.append(
                (
                    Patch(
                        facecolor=style.colour,
                        hatch=style.hatch,
                        edgecolor="white" if style.hatch else style.colour,
                    ),
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker=style.marker,
                        markersize=8,
                        color=style.colour,
                        markeredgecolor="white",
                    ),
                )
            )
            labels.append(label)
        axes.set_yticks(positions, [r.area for r in rows])
        axes.set_xlim(min(instrument.scale_min, 0), instrument.scale_max)
        axes.set_xticks(range(instrument.scale_min, instrument.scale_max + 1))
        axes.set_xlabel(f"Score ({instrument.scale_min} to {instrument.scale_max})")
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(
            handles,
            labels,
            handler_map={tuple: HandlerTuple(ndivide=None)},
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=1,
            frameon=False,
        )
        return to_svg(
            figure,
            f"Bar chart of first against latest {instrument.name} scores per area. "
            "The same figures are in the table.",
        )
