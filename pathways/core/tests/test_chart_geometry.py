"""A trend chart's period labels never overlap, at any number of periods and with the
longest labels: the chart widens (it scrolls in its own region on the page)."""

from __future__ import annotations

import itertools

import pytest

from pathways.core import charts

# The longest labels a period can have: a half-year of the user's own dates, and the
# named periods' short labels.
LONGEST = "30 September 2025\N{EN DASH}29 September 2026"
SHORT = "Nov 25\N{EN DASH}Apr 26"


def _overlaps(boxes: list[tuple[float, float]]) -> list[int]:
    return [
        i for i in range(len(boxes) - 1) if boxes[i][1] + charts.LABEL_GAP / 2 > boxes[i + 1][0]
    ]


@pytest.mark.parametrize("count", [1, 2, 6, 12, 24, 40])
@pytest.mark.parametrize("label", [SHORT, LONGEST, "Q1 2025", "A" * 40])
def test_no_two_period_labels_overlap(count: int, label: str) -> None:
    boxes = charts.label_boxes([f"{label} {i}" for i in range(count)])
    assert len(boxes) == count
    assert _overlaps(boxes) == []
    # In order, left to right.
    assert all(a[0] < b[0] for a, b in itertools.pairwise(boxes))


def test_a_few_short_labels_keep_the_usual_width() -> None:
    boxes = charts.label_boxes([SHORT] * 6)
    assert boxes[-1][1] < 8  # inches: the chart was not widened


def test_the_svg_of_many_periods_is_wider() -> None:
    import re

    def width(n: int) -> float:
        svg = str(charts._draw_trend("Starts", [f"{LONGEST} {i}" for i in range(n)], [1.0] * n))
        match = re.search(r'<svg[^>]* width="([\d.]+)pt"', svg)
        assert match
        return float(match.group(1))

    assert width(24) > 2 * width(6)
