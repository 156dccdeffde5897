"""Kept figures: a closed named period's figures are counted once as at its last day and
kept (``outcomes.kept``); the pages read them, and a correction reaches them through the
nightly recount.

The hand-counted world of ``world.py`` (its half-year ``HALF`` is May to October 2024),
looked at on 1 March 2026 (``AS_OF``), when HALF is among the periods the pages offer. Nine
facts about HALF were recorded after it ended (five orders ended in it, four offences of its
starters: test_as_at.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core import scheduler
from pathways.core.models import AuditEvent
from pathways.core.periods import Period, half_year, previous
from pathways.outcomes import kept
from pathways.outcomes.figures import FIGURES_VERSION, record_figures
from pathways.outcomes.measures import BY_KEY, MEASURES
from pathways.outcomes.models import KeptFigures, PeriodSnapshot
from pathways.outcomes.selectors import labelled, measures_for_period, trend
from pathways.outcomes.snapshots import period_figures
from pathways.outcomes.tasks import recount_kept_figures
from pathways.outcomes.tests.world import AS_OF, HALF, World, at, late_order
from pathways.placements.models import Placement
from pathways.reports import board, summary

pytestmark = pytest.mark.django_db

D = datetime.date
LATE_FACTS = 9  # recorded after HALF ended, about it (test_as_at.py)
OWN_RANGE = Period(D(2024, 5, 2), D(2024, 10, 31))  # not a named period


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(world: World, period: Period = HALF) -> Any:
    return KeptFigures.objects.filter(
        service=world.service, period_start=period.start, period_end=period.end
    )


def _dates(period: Period) -> dict[str, str]:
    """The period chooser sent with dates of one's own (which win over the select's)."""
    return {
        "start-day": str(period.start.day),
        "start-month": str(period.start.month),
        "start-year": str(period.start.year),
        "end-day": str(period.end.day),
        "end-month": str(period.end.month),
        "end-year": str(period.end.year),
    }


def _live(world: World, period: Period, day: datetime.date) -> dict[str, Any]:
    return {m.key: m.compute(world.service, period, day) for m in MEASURES}


def _figures(response: Any) -> dict[str, Any]:
    return {result.measure.key: result.figure for result in response.context["results"]}


@contextmanager
def no_measure_counted() -> Iterator[None]:
    """Every measure refuses to be counted (the registry's measures are frozen dataclasses:
    their ``compute`` is swapped in place and put back)."""
    saved = [(measure, measure.compute) for measure in MEASURES]

    def refuse(*_args: Any) -> Any:
        raise AssertionError("a measure was counted")

    for measure, _compute in saved:
        object.__setattr__(measure, "compute", refuse)
    try:
        yield
    finally:
        for measure, compute in saved:
            object.__setattr__(measure, "compute", compute)


def _kept_reads(queries: CaptureQueriesContext) -> int:
    return sum('"outcomes_keptfigures"' in query["sql"] for query in queries.captured_queries)


# The pages


def test_a_closed_half_year_s_dashboard_reads_its_kept_figures(world: World) -> None:
    client = _client(world.manager)
    with at(AS_OF):
        assert not _rows(world).exists()
        with CaptureQueriesContext(connection) as first:
            assert client.get("/outcomes/", {"period": HALF.key}).status_code == 200
        assert _rows(world).count() == 1
        with no_measure_counted(), CaptureQueriesContext(connection) as second:
            response = client.get("/outcomes/", {"period": HALF.key})
        with CaptureQueriesContext(connection) as third:
            client.get("/outcomes/", {"period": HALF.key})
        with CaptureQueriesContext(connection) as live:
            client.get("/outcomes/", {"period": HALF.key, "as_at": "today"})
    # The first view counted and kept; later views read: one read of the period's kept
    # figures and one of the trend's half-years, and no measure counted.
    assert len(first) > len(second) == len(third)
    assert _kept_reads(second) == 2
    assert len(live) - len(second) >= len(MEASURES)
    page = response.content.decode()
    assert (
        "Figures as at 31 October 2024, the half-year's last day, counted on 1 March 2026" in page
    )
    # The sector, mentoring and referral tables come from the same row.
    records = kept.records_of(_rows(world).get())
    assert response.context["by_source"] == labelled(records["referrals_by_source"], "source")
    assert sum(count for _label, count in response.context["by_source"]) > 0


def test_kept_figures_equal_a_live_count_as_at_the_last_day(world: World) -> None:
    with at(AS_OF):
        row = kept.kept_for(world.service, HALF)
        assert row is not None and row.version == FIGURES_VERSION
        live = _live(world, HALF, HALF.end)
        assert {m.key: kept.figure_of(row, m) for m in MEASURES} == live
        assert kept.records_of(row) == kept.count(world.service, HALF)["records"]
        assert (
            kept.records_of(row)["referrals_by_source"]
            == record_figures(world.service, HALF)["referrals_by_source"]
        )
        # Every page's default for a closed period: as at its last day, from the row.
        with no_measure_counted():
            results = measures_for_period(world.service, HALF)
        assert {r.measure.key: r.figure for r in results} == live


def test_a_fact_recorded_after_the_end_is_announced_not_kept_and_counted_as_at_today(
    world: World,
) -> None:
    client = _client(world.manager)
    with at(AS_OF):
        page = client.get("/outcomes/", {"period": HALF.key}).content.decode()
        assert f"{LATE_FACTS} facts about this half-year" in page
        late_order(world, "extract-late")
        response = client.get("/outcomes/", {"period": HALF.key})
        today = client.get("/outcomes/", {"period": HALF.key, "as_at": "today"})
    page = response.content.decode()
    assert f"{LATE_FACTS + 1} facts about this half-year" in page
    assert "?period=2024-05-01%3A2024-10-31&amp;as_at=today" in page
    # Not in the kept figures (nothing recorded by 31 October 2024 completed an order)...
    orders = _figures(response)["orders_completed"]
    assert (orders.numerator, orders.denominator) == (0, 0)
    # ...but counted as at today, and the page says so.
    with at(AS_OF):
        assert _figures(today) == _live(world, HALF, AS_OF)
    assert _figures(today)["orders_completed"].denominator == 3
    assert "Figures as at today, 1 March 2026, counted now" in today.content.decode()
    assert '?period=2024-05-01%3A2024-10-31">See the figures as at its last day' in (
        today.content.decode()
    )


def test_the_drill_down_lists_the_records_as_at_the_same_day(world: World) -> None:
    client = _client(world.manager)
    with at(AS_OF):
        at_end = client.get("/outcomes/measures/orders_completed/", {"period": HALF.key})
        today = client.get(
            "/outcomes/measures/orders_completed/", {"period": HALF.key, "as_at": "today"}
        )
    assert "No records were counted in this period." in at_end.content.decode()
    assert "the half-year's last day" in at_end.content.decode()
    assert at_end.context["figure"].denominator == 0
    assert today.context["figure"].denominator == 2  # Ada and Gus (Ada's two orders listed)
    assert "Ada Abbot" in today.content.decode() and "Gus Gorringe" in today.content.decode()
    event = AuditEvent.objects.filter(action="measure.drilldown_viewed").latest("pk")
    assert event.detail["as_of"] == AS_OF.isoformat()


def test_an_open_period_and_a_range_of_one_s_own_dates_are_never_kept(world: World) -> None:
    client = _client(world.manager)
    current = half_year(AS_OF)
    with at(AS_OF):
        assert client.get("/outcomes/").status_code == 200  # the half-year in progress
        assert client.get("/outcomes/", _dates(OWN_RANGE)).status_code == 200
        assert kept.kept_for(world.service, current) is None
        assert kept.kept_for(world.service, OWN_RANGE) is None
        # Nor a closed period as at a later day.
        assert kept.kept_for(world.service, HALF, as_of=AS_OF) is None
        with pytest.raises(ValueError, match="not a named period that has ended"):
            kept.recount(world.service, current)
    assert not _rows(world, current).exists()
    assert not _rows(world, OWN_RANGE).exists()
    assert not KeptFigures.objects.filter(period_end__gte=AS_OF).exists()
    # The trend's closed half-years were kept; the one in progress counted.
    assert KeptFigures.objects.count() == 5
    # A range of one's own dates is counted as at its last day, and says so.
    assert kept.counted_as_at(OWN_RANGE, AS_OF) == OWN_RANGE.end
    assert kept.counted_as_at(current, AS_OF) == AS_OF


def test_a_retention_snapshot_wins_over_kept_figures(world: World) -> None:
    client = _client(world.manager)
    with at(AS_OF):
        kept.kept_for(world.service, HALF)
        figures = period_figures(world.service, HALF, today=AS_OF)
        figures["measures_at_end"]["starts"]["value"] = 99  # a frozen figure, told apart
        PeriodSnapshot.objects.create(
            service=world.service,
            period_start=HALF.start,
            period_end=HALF.end,
            taken_at=timezone.now(),
            as_of=AS_OF,
            why="before records were deleted under the retention schedule",
            figures=figures,
        )
        response = client.get("/outcomes/", {"period": HALF.key})
        built = board.build(world.service, HALF, commentary="")
    assert _figures(response)["starts"].value == 99
    page = response.content.decode()
    assert "Figures frozen on" in page and "last day, counted on" not in page
    assert built["frozen_text"].startswith("Figures frozen on")


def test_figures_kept_in_an_older_shape_are_counted_again(world: World) -> None:
    with at(AS_OF):
        row = kept.kept_for(world.service, HALF)
        assert row is not None
        _rows(world).update(version=FIGURES_VERSION - 1, figures={"measures": {}, "records": {}})
        again = kept.kept_for(world.service, HALF)
        assert again is not None and again.pk == row.pk and again.version == FIGURES_VERSION
        assert {m.key: kept.figure_of(again, m) for m in MEASURES} == _live(world, HALF, HALF.end)
    assert _rows(world).count() == 1


def test_two_requests_that_miss_at_once_read_the_winner_s_row(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kept.count

    def counted_while_another_kept(service: Any, period: Period) -> dict[str, Any]:
        figures = real(service, period)
        # The other request finishes first and keeps its row.
        KeptFigures.objects.create(
            service=service,
            period_start=period.start,
            period_end=period.end,
            counted_at=timezone.now(),
            version=FIGURES_VERSION,
            figures={**figures, "winner": True},
        )
        return figures

    monkeypatch.setattr(kept, "count", counted_while_another_kept)
    with at(AS_OF):
        row = kept.kept_for(world.service, HALF)
    assert row is not None and row.figures["winner"] is True
    assert _rows(world).count() == 1


def test_the_trend_reads_its_closed_half_years_kept_in_one_query(world: World) -> None:
    measure = BY_KEY["starts"]
    closed = previous(HALF, "half", 6)
    with at(AS_OF):
        first = trend(world.service, measure, closed)
        assert KeptFigures.objects.count() == 6
        with no_measure_counted(), CaptureQueriesContext(connection) as queries:
            again = trend(world.service, measure, closed)
        assert len(queries) == 2  # the snapshots, the kept figures
        assert (
            again
            == first
            == [
                (period, measure.compute(world.service, period, period.end).value)
                for period in closed
            ]
        )
        # Up to the half-year in progress: only that one is counted.
        upto = previous(half_year(AS_OF), "half", 6)
        trend(world.service, measure, upto)
        with CaptureQueriesContext(connection) as queries:
            values = trend(world.service, measure, upto)
        with CaptureQueriesContext(connection) as one:
            live = measure.compute(world.service, upto[-1], AS_OF)
    assert len(queries) == 2 + len(one)
    assert values[-1] == (upto[-1], live.value)


def test_the_home_page_and_the_first_edition_read_the_kept_figures(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = half_year(half_year(AS_OF).start - datetime.timedelta(days=1))
    with at(AS_OF):
        shown = summary.last_closed(world.service, AS_OF)
        assert _rows(world, last).count() == 1
        first = board.build(world.service, HALF, commentary="")
        monkeypatch.setattr(board, "record_figures", None)  # would fail if called
        with no_measure_counted():
            again = summary.last_closed(world.service, AS_OF)
            kept_edition = board.build(world.service, HALF, commentary="")
    assert [row.figure for row in again.rows] == [row.figure for row in shown.rows]
    assert again.as_of == last.end
    assert kept_edition["sections"] == first["sections"]


# Corrections


def _held(world: World) -> dict[tuple[datetime.date, datetime.date], Any]:
    return {
        (row.period_start, row.period_end): row.figures
        for row in KeptFigures.objects.filter(service=world.service)
    }


def test_the_nightly_recount_replaces_corrected_figures_and_audits_them(world: World) -> None:
    job = scheduler.JOBS["recount_kept_figures"]
    assert job.at == datetime.time(3, 30) and job.run == recount_kept_figures.enqueue
    periods = kept.periods_to_keep(AS_OF)
    with at(AS_OF):
        result = recount_kept_figures.enqueue()
    every = len(periods) * Service.objects.count()  # the world's, and the outsider's
    assert str(result.return_value).startswith(f"{every} kept, 0 replaced")
    assert len(_held(world)) == len(periods)
    assert not AuditEvent.objects.filter(action="figures.recounted").exists()
    before = _held(world)

    # A correction after the half-year closed: Bea's job (p4) started on 20 November 2024,
    # not on 8 July.
    Placement.objects.filter(pk=world.placements["p4"].pk).update(started_on=D(2024, 11, 20))
    with at(AS_OF + datetime.timedelta(days=1)):
        result = recount_kept_figures.enqueue()
        live = _live(world, HALF, HALF.end)
    after = _held(world)
    changed = {key for key in before if before[key] != after[key]}
    assert (HALF.start, HALF.end) in changed and len(changed) < len(periods)
    assert str(result.return_value).startswith(f"0 kept, {len(changed)} replaced")
    row = _rows(world).get()
    assert {m.key: kept.figure_of(row, m) for m in MEASURES} == live
    events = AuditEvent.objects.filter(action="figures.recounted")
    assert events.count() == len(changed)
    event = events.get(object_id=str(row.pk))
    assert "job_starts" in event.detail["measures"]
    assert "placements" in event.detail["records"]
    assert event.detail["period"] == HALF.key
    assert event.subject_id is None and "Bea" not in event.summary

    # Safe to run again: nothing changed, nothing audited.
    with at(AS_OF + datetime.timedelta(days=1)):
        result = recount_kept_figures.enqueue()
    assert result.return_value == (
        f"0 kept, 0 replaced (figures changed), 0 counted again in the new shape, {every} unchanged"
    )
    assert AuditEvent.objects.filter(action="figures.recounted").count() == len(changed)
    assert _held(world) == after


def test_two_recounts_at_once_write_and_audit_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with at(AS_OF):
        kept.kept_for(world.service, HALF)
    Placement.objects.filter(pk=world.placements["p1"].pk).update(started_on=D(2024, 4, 20))
    real = kept.count
    raced: list[str] = []

    def counted_while_another_recounted(service: Any, period: Period) -> dict[str, Any]:
        figures = real(service, period)
        if not raced:
            # The other recount counts, locks, replaces and audits before this one locks.
            monkeypatch.setattr(kept, "count", real)
            raced.append(kept.recount(service, period))
        return figures

    monkeypatch.setattr(kept, "count", counted_while_another_recounted)
    with at(AS_OF):
        outcome = kept.recount(world.service, HALF)
    assert raced == [kept.Outcome.REPLACED]
    assert outcome == kept.Outcome.UNCHANGED
    assert AuditEvent.objects.filter(action="figures.recounted").count() == 1


def test_the_command_keeps_and_recounts_by_hand(world: World) -> None:
    periods = kept.periods_to_keep(AS_OF)
    out: list[str] = []

    def run(*args: str) -> str:
        from io import StringIO

        buffer = StringIO()
        with at(AS_OF):
            call_command("keep_figures", *args, stdout=buffer)
        out.append(buffer.getvalue())
        return buffer.getvalue()

    every = len(periods) * Service.objects.count()
    assert f"1 service(s): {len(periods)} kept, 0 replaced" in run("--service", world.service.slug)
    # Every service: the outsider's are kept now; the world's were.
    assert f"{len(periods)} kept, 0 replaced" in run()
    assert f"the new shape, {len(periods)} unchanged" in out[-1]
    assert (
        f"0 kept, 0 replaced (figures changed), 0 counted again in the new shape, {every} unchanged"
        in run("--recount")
    )
    with pytest.raises(CommandError, match="No service has the slug"):
        run("--service", "nowhere")
