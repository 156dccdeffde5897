"""A trend chart's period labels are legible: each on two lines (the first half-year's
month over the last's), so six side by side do not run into each other."""

from __future__ import annotations

import re

from pathways.core import charts

LABELS = [
    f"{a} {y}\N{EN DASH}{b} {y + (a == 'Nov')}"
    for y in (23, 24, 25)
    for a, b in (("May", "Oct"), ("Nov", "Apr"))
]


def test_each_period_label_is_on_two_lines() -> None:
    svg = str(charts._draw_trend("Placement starts", LABELS, [1, 2, 3, 4, 5, 6]))
    texts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b.*?</text>", svg, re.S)]
    for label in LABELS:
        first, second = label.split("\N{EN DASH}")
        assert f"{first}\N{EN DASH}" in texts, label
        assert second in texts, label
        assert label not in texts
