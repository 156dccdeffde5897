"""Charts are drawn once for the figures they show, and drawn again when a figure moves."""

from __future__ import annotations

import pytest

from pathways.core import charts


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    drawn: list[tuple[str, ...]] = []
    draw = charts._draw_trend

    def counting(title: str, labels: list[str], values: list[float | None]) -> str:
        drawn.append(tuple(labels))
        return draw(title, labels, values)

    monkeypatch.setattr(charts, "_draw_trend", counting)
    return drawn


def test_a_closed_periods_trend_chart_is_drawn_once(drawings: list[tuple[str, ...]]) -> None:
    labels, values = ["Apr-Sep 25", "Oct-Mar 26"], [3.0, 5.0]
    first = charts.trend_chart("Placement starts", labels, values)
    again = charts.trend_chart("Placement starts", labels, values)
    assert first == again and first.startswith('<svg role="img"')
    assert len(drawings) == 1


def test_a_figure_that_moves_draws_the_chart_again(drawings: list[tuple[str, ...]]) -> None:
    labels = ["Apr-Sep 25", "Oct-Mar 26"]
    before = charts.trend_chart("Placement starts", labels, [3.0, 5.0])
    after = charts.trend_chart("Placement starts", labels, [3.0, 6.0])
    assert len(drawings) == 2 and before != after
    # A new title or new periods are a new chart too.
    charts.trend_chart("Job starts", labels, [3.0, 6.0])
    charts.trend_chart("Placement starts", ["Oct-Mar 26", "Apr-Sep 26"], [3.0, 6.0])
    assert len(drawings) == 4
