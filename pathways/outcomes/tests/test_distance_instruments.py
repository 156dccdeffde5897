"""Distance travelled counts every instrument: each episode's change is a share of its own
instrument's scale, so episodes on a second tool are counted beside the default one's."""

from __future__ import annotations

import datetime

import pytest

from pathways.accounts.tests.factories import ServiceFactory
from pathways.outcomes.measures import BY_KEY, Services
from pathways.outcomes.tests.world import AS_OF, HALF, World, at
from pathways.plans import services as plans
from pathways.plans.models import Instrument, InstrumentArea, ReadingKind
from pathways.plans.selectors import overall_distance

pytestmark = pytest.mark.django_db

D = datetime.date


def _second_tool() -> Instrument:
    """A tool of two areas scored 0 to 4: a total can move by 8 (the default's by 54)."""
    tool = Instrument.objects.create(name="Second tool", scale_min=0, scale_max=4)
    InstrumentArea.objects.create(instrument=tool, name="Area one", order=1)
    InstrumentArea.objects.create(instrument=tool, name="Area two", order=2)
    return tool


def _read(world: World, name: str, tool: Instrument, kind: str, on: D, score: int) -> None:
    with at(on):
        plans.reading_record(
            actor=world.worker,
            referral=world.referrals[name],
            instrument=tool,
            kind=ReadingKind(kind),
            taken_on=on,
            scores={area.pk: score for area in tool.areas.all()},
        )


@pytest.fixture
def hal_on_second_tool(world: World) -> Instrument:
    """Hal (started 11 June 2024) read with the second tool: 1 to 3 in each area, +4 of 8."""
    tool = _second_tool()
    _read(world, "Hal", tool, ReadingKind.INTAKE, D(2024, 6, 12), 1)
    _read(world, "Hal", tool, ReadingKind.REVIEW, D(2024, 9, 2), 3)
    world.refresh()
    return tool


def test_an_episode_on_another_tool_is_counted(
    world: World, hal_on_second_tool: Instrument
) -> None:
    figure = BY_KEY["distance_travelled"].compute(world.service, HALF, AS_OF)
    # Ada up (3 to 5), Bea down (5 to 4) on the default tool; Hal up on the second.
    assert (figure.value, figure.numerator, figure.denominator) == (2, 2, 3)
    assert figure.breakdown == [
        ("Moved up", 2),
        ("Stayed the same", 0),
        ("Moved down", 1),
        ("With Pathways work readiness", 2),
        ("With Second tool", 1),
    ]
    records = BY_KEY["distance_travelled"].records(world.service, HALF, AS_OF)
    assert {r.participant.first_name for r in records} == {"Ada", "Bea", "Hal"}


def test_the_change_is_a_share_of_each_tools_scale(
    world: World, hal_on_second_tool: Instrument
) -> None:
    """Ada +12 of 54, Bea -6 of 54, Hal +4 of 8: the mean of the three shares, not of the
    raw points (which would let a wide scale outweigh a narrow one)."""
    with at(AS_OF):
        figures = overall_distance(world.service, HALF.start, HALF.end)
    expected = (12 / 54 - 6 / 54 + 4 / 8) / 3
    assert figures.average_change == pytest.approx(expected)
    assert figures.by_instrument == [("Pathways work readiness", 2), ("Second tool", 1)]
    figure = BY_KEY["distance_travelled"].compute(world.service, HALF, AS_OF)
    assert figure.note == f"Average change {expected:+.0%} of the scale (each tool's own)."


def test_a_retired_tool_still_counts_its_episodes(
    world: World, hal_on_second_tool: Instrument
) -> None:
    Instrument.objects.update(retired_at=D(2024, 1, 1))
    figure = BY_KEY["distance_travelled"].compute(world.service, HALF, AS_OF)
    assert (figure.numerator, figure.denominator) == (2, 3)


def test_no_episode_counted_has_no_rate_and_says_so(world: World) -> None:
    figure = BY_KEY["distance_travelled"].compute(
        world.service, HALF.__class__(D(2023, 5, 1), D(2023, 10, 31)), AS_OF
    )
    assert (figure.value, figure.denominator, figure.rate) == (0, 0, None)
    assert figure.note == (
        "No episode had two readings by the end of the period with the latest in it."
    )


def test_one_reading_on_the_second_tool_is_not_counted(world: World) -> None:
    tool = _second_tool()
    _read(world, "Hal", tool, ReadingKind.INTAKE, D(2024, 6, 12), 1)
    figure = BY_KEY["distance_travelled"].compute(world.service, HALF, AS_OF)
    assert figure.denominator == 2


def test_several_services_count_every_episode_once(
    world: World, hal_on_second_tool: Instrument
) -> None:
    other = ServiceFactory(name="Another", slug="another")
    together = Services((world.service, other))  # type: ignore[arg-type]
    figure = BY_KEY["distance_travelled"].compute(together, HALF, AS_OF)
    assert (figure.numerator, figure.denominator) == (2, 3)
    assert BY_KEY["distance_travelled"].compute(other, HALF, AS_OF).denominator == 0  # type: ignore[arg-type]
