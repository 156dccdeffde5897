"""The distance-travelled chart does not rely on colour alone (WCAG 1.4.1): each series has
its own marker shape and fill pattern, and each bar's score is written beside it."""

from __future__ import annotations

import re

import pytest

from pathways.accounts.models import User
from pathways.core.charts import SERIES
from pathways.plans import selectors
from pathways.plans.charts import progress_chart
from pathways.plans.models import ReadingKind
from pathways.plans.tests.test_selectors import D, _instrument, _read
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_every_series_style_differs_in_marker_and_pattern_as_well_as_colour() -> None:
    assert len({style.marker for style in SERIES}) == len(SERIES)
    assert len({style.hatch for style in SERIES}) == len(SERIES)
    assert len({style.colour for style in SERIES}) == len(SERIES)


def test_each_series_of_the_chart_has_its_own_marker_and_pattern(
    case: Referral, worker_north: User
) -> None:
    _read(worker_north, case, ReadingKind.INTAKE, D(2026, 9, 2), 2)
    _read(worker_north, case, ReadingKind.REVIEW, D(2026, 9, 20), 7)
    svg = str(progress_chart(selectors.progress_of(selectors.readings_of(case))))
    # matplotlib writes each marker shape once, in <defs>, and places it with <use>.
    used = set(re.findall(r'<use xlink:href="#(m[0-9a-f]+)"', svg))
    shapes = {
        re.search(rf'<path id="{marker}" d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        for marker in used
    }
    assert len(shapes) >= 2, "the two series' markers are the same shape"
    assert "<pattern" in svg  # the first reading's bars are hatched, the latest solid
    areas = _instrument().areas.count()
    # Every bar's score written beside it: the first's 2 and the latest's 7.
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count("2") >= areas and texts.count("7") >= areas
    assert "First reading, 2 Sep 2026" in svg and "Latest reading, 20 Sep 2026" in svg
