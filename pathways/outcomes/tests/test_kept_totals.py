"""Kept totals: the total of several services (each person once) for a closed named
period, counted once as at its last day and kept like a service's figures
(``outcomes.kept``, ``KeptTotal``); the commissioner's dashboard of all their services and
``manage.py measures`` read it, and the nightly recount puts it right after a correction,
except for a period a member's purge has frozen.

The world of ``world.py`` and another service where Bea also started support and a job in
the half-year ``HALF`` (``test_several_services``), looked at on 1 March 2026 (``AS_OF``),
as in test_kept.py.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.accounts.tests.factories import ServiceFactory
from pathways.core.models import AuditEvent
from pathways.core.periods import Period, half_year
from pathways.outcomes import kept
from pathways.outcomes.figures import FIGURES_VERSION
from pathways.outcomes.measures import MEASURES, Figure, Services
from pathways.outcomes.models import KeptTotal, PeriodSnapshot
from pathways.outcomes.selectors import measures_for_services
from pathways.outcomes.snapshots import period_figures
from pathways.outcomes.tasks import recount_kept_figures
from pathways.outcomes.tests.test_kept import _client, no_measure_counted
from pathways.outcomes.tests.test_several_services import _second_service_with_bea
from pathways.outcomes.tests.world import AS_OF, BEFORE, HALF, World, at
from pathways.placements.models import Placement

pytestmark = pytest.mark.django_db

D = datetime.date
NEXT_DAY = AS_OF + datetime.timedelta(days=1)


@pytest.fixture
def other(world: World) -> Service:
    return _second_service_with_bea(world)


def _live(together: Services, period: Period, day: datetime.date) -> dict[str, Figure]:
    return {m.key: m.compute(together, period, day) for m in MEASURES}


def _kept(row: KeptTotal) -> dict[str, Figure | None]:
    return {m.key: kept.figure_of(row, m) for m in MEASURES}


def _totals(response: Any) -> dict[str, Figure]:
    return {measure.key: total.figure for measure, _each, total in response.context["rows"]}


def _total_reads(queries: CaptureQueriesContext) -> int:
    return sum('"outcomes_kepttotal"' in query["sql"] for query in queries.captured_queries)


def _ivys_job_started_after_the_half_year(world: World) -> None:
    """A correction after HALF closed: Ivy's job (p7, in the world's service alone) started
    on 20 November 2024, not on 11 July; the total's job starts fall from 2 to 1."""
    Placement.objects.filter(pk=world.placements["p7"].pk).update(started_on=D(2024, 11, 20))


# The pages


def test_the_all_services_dashboard_reads_a_closed_half_year_s_total_kept(
    world: World, other: Service, commissioner: User
) -> None:
    commissioner.oversees.add(other)
    client = _client(commissioner)
    query = {"period": HALF.key, "service": "all"}
    with at(AS_OF):
        first = client.get("/outcomes/", query)
        assert first.status_code == 200
        assert KeptTotal.objects.count() == 1
        with no_measure_counted(), CaptureQueriesContext(connection) as queries:
            second = client.get("/outcomes/", query)
        live = _live(Services((world.service, other)), HALF, HALF.end)
    # The second view counts no measure: one read of the total (and each service's column
    # from its own kept figures).
    assert second.status_code == 200
    assert _total_reads(queries) == 1
    assert _totals(second) == _totals(first) == live
    # Bea, in both services, counts once: the world's 2 job starts (Bea and Ivy), and 2.
    assert live["job_starts"].value == 2
    row = KeptTotal.objects.get()
    assert row.members == sorted([world.service.pk, other.pk])
    assert (row.period_start, row.period_end, row.version) == (HALF.start, HALF.end, 2)
    assert set(row.figures) == {"measures"}  # a total has no report's figures


def test_a_kept_total_equals_a_live_count_a_person_in_two_services_once(
    world: World, other: Service
) -> None:
    together = Services((world.service, other))
    with at(AS_OF):
        row = kept.kept_for(together, HALF)
        assert row is not None and row.version == FIGURES_VERSION
        live = _live(together, HALF, HALF.end)
        assert _kept(row) == live
        measures_for_services([world.service, other], HALF)  # keeps each service's figures
        with no_measure_counted():
            each, total = measures_for_services([world.service, other], HALF)
    assert {result.measure.key: result.figure for result in total} == live
    assert all(result.targets == [] for result in total)
    jobs = [
        next(r.figure.value for r in results if r.measure.key == "job_starts")
        for _service, results in each
    ]
    assert jobs == [2, 1] and live["job_starts"].value == 2


def test_reading_every_service_of_a_closed_half_year_takes_as_many_queries_for_more_services(
    world: World, other: Service
) -> None:
    """Each service's column (snapshot, kept figures, targets, tolerance) is read for every
    service at once: a third service adds no query to a kept half-year's read."""
    third = Service.objects.create(name="A third", slug="a-third", capacity=30)
    sets: list[list[Service]] = [[world.service, other], [world.service, other, third]]
    counts = []
    with at(AS_OF):
        for services in sets:
            measures_for_services(services, HALF)  # keeps each service's figures and the total
            with no_measure_counted(), CaptureQueriesContext(connection) as queries:
                each, _total = measures_for_services(services, HALF)
            assert [service for service, _results in each] == services
            counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 6


def test_a_set_is_one_row_in_any_order_and_another_set_is_another_row(
    world: World, other: Service
) -> None:
    third: Service = ServiceFactory(name="A third", slug="third")  # type: ignore[assignment]
    with at(AS_OF):
        first = kept.kept_for(Services((world.service, other)), HALF)
        with no_measure_counted():
            again = kept.kept_for(Services((other, world.service)), HALF)
        wider = kept.kept_for(Services((third, other, world.service)), HALF)
    assert first is not None and again is not None and wider is not None
    assert again.pk == first.pk
    assert wider.pk != first.pk
    assert wider.members == sorted([world.service.pk, other.pk, third.pk])
    assert KeptTotal.objects.count() == 2
    assert kept.members_key([other, world.service]) == kept.members_key([world.service, other])


def test_an_open_half_year_and_a_later_day_are_counted_live(
    world: World, other: Service, commissioner: User
) -> None:
    commissioner.oversees.add(other)
    client = _client(commissioner)
    current = half_year(AS_OF)
    together = Services((world.service, other))
    with at(AS_OF):
        response = client.get("/outcomes/", {"period": current.key, "service": "all"})
        assert response.status_code == 200
        assert _totals(response) == _live(together, current, AS_OF)
        # A closed half-year as at a later day is not kept either.
        _each, total = measures_for_services([world.service, other], HALF, as_of=AS_OF)
        assert {r.measure.key: r.figure for r in total} == _live(together, HALF, AS_OF)
        assert kept.kept_for(together, current) is None
    assert not KeptTotal.objects.exists()


def test_a_total_kept_in_an_older_shape_is_counted_again(world: World, other: Service) -> None:
    together = Services((world.service, other))
    with at(AS_OF):
        row = kept.kept_for(together, HALF)
        assert row is not None
        KeptTotal.objects.update(version=FIGURES_VERSION - 1, figures={"measures": {}})
        again = kept.kept_for(together, HALF)
        assert again is not None and again.pk == row.pk and again.version == FIGURES_VERSION
        assert _kept(again) == _live(together, HALF, HALF.end)


def test_manage_py_measures_without_a_service_reads_the_kept_total(
    world: World, other: Service
) -> None:
    def run() -> dict[str, Any]:
        out = io.StringIO()
        with at(AS_OF):
            call_command("measures", "--period", HALF.key, "--format", "json", stdout=out)
        data: dict[str, Any] = json.loads(out.getvalue())
        return data

    first = run()
    row = KeptTotal.objects.get()
    assert row.members == sorted(Service.objects.values_list("pk", flat=True))
    with no_measure_counted():
        second = run()
    assert second == first
    total = next(block for block in second["services"] if block["service"] == "total")
    jobs = next(m for m in total["measures"] if m["key"] == "job_starts")
    assert jobs["value"] == row.figures["measures"]["job_starts"]["value"] == 2


# Corrections


def test_the_nightly_recount_replaces_a_changed_total_and_audits_it_once(
    world: World, other: Service
) -> None:
    together = Services((world.service, other))
    with at(AS_OF):
        changing = kept.kept_for(together, HALF)
        steady = kept.kept_for(together, BEFORE)
    assert changing is not None and steady is not None
    steady_counted = steady.counted_at

    _ivys_job_started_after_the_half_year(world)
    with at(NEXT_DAY):
        result = str(recount_kept_figures.enqueue().return_value)
        live = _live(together, HALF, HALF.end)
    # Only the totals someone viewed are recounted: none is made for another set.
    assert KeptTotal.objects.count() == 2
    assert result.endswith(
        "; totals of several services: 0 kept, 1 replaced (figures changed), "
        "0 counted again in the new shape, 1 unchanged"
    )
    changing.refresh_from_db()
    steady.refresh_from_db()
    assert _kept(changing) == live and live["job_starts"].value == 1
    assert steady.counted_at == steady_counted
    events = AuditEvent.objects.filter(action="figures.recounted", object_type="outcomes.kepttotal")
    event = events.get()
    assert event.object_id == str(changing.pk)
    assert "job_starts" in event.detail["measures"] and event.detail["records"] == []
    assert event.detail["services"] == sorted([world.service.pk, other.pk])
    assert event.detail["period"] == HALF.key
    assert event.subject_id is None and "Ivy" not in event.summary
    assert event.summary.startswith("Figures of the total of 2 services, ")

    # Safe to run again: nothing changed, nothing audited.
    with at(NEXT_DAY):
        again = str(recount_kept_figures.enqueue().return_value)
    assert again.endswith(
        "; totals of several services: 0 kept, 0 replaced (figures changed), "
        "0 counted again in the new shape, 2 unchanged"
    )
    assert events.count() == 1


def test_keep_figures_for_one_service_recounts_only_the_totals_that_count_it(
    world: World, other: Service
) -> None:
    third: Service = ServiceFactory(name="A third", slug="third")  # type: ignore[assignment]
    with at(AS_OF):
        kept.kept_for(Services((world.service, other)), HALF)
    _ivys_job_started_after_the_half_year(world)

    def run(slug: str) -> str:
        out = io.StringIO()
        with at(NEXT_DAY):
            call_command("keep_figures", "--service", slug, "--recount", stdout=out)
        return out.getvalue()

    assert "totals of several services" not in run(third.slug)
    assert "totals of several services: 0 kept, 1 replaced" in run(other.slug)


def test_the_recount_leaves_a_total_whose_member_was_frozen_before_a_purge(
    world: World, other: Service
) -> None:
    together = Services((world.service, other))
    with at(AS_OF):
        row = kept.kept_for(together, HALF)
        assert row is not None
        PeriodSnapshot.objects.create(
            service=other,
            period_start=HALF.start,
            period_end=HALF.end,
            taken_at=timezone.now(),
            as_of=AS_OF,
            why="before records were deleted under the retention schedule",
            figures=period_figures(other, HALF, today=AS_OF),
        )
    before = dict(row.figures)
    _ivys_job_started_after_the_half_year(world)
    with at(NEXT_DAY):
        assert kept.recount(together, HALF) == kept.Outcome.FROZEN
        result = str(recount_kept_figures.enqueue().return_value)
        # Nor counted again for a new shape: its measures are read as kept.
        KeptTotal.objects.update(version=FIGURES_VERSION - 1)
        with no_measure_counted():
            read = kept.kept_for(together, HALF)
        assert "totals of several services: 0 kept, 0 replaced" in str(
            kept.keep_all([world.service], recount_kept=False)
        )
    assert ", 1 left as kept (a member service's figures frozen before a purge)" in result
    assert read is not None and read.figures == before
    row.refresh_from_db()
    assert row.figures == before and row.figures["measures"]["job_starts"]["value"] == 2
    assert not AuditEvent.objects.filter(
        action="figures.recounted", object_type="outcomes.kepttotal"
    ).exists()


def test_a_total_of_a_range_of_one_s_own_dates_is_never_kept(world: World, other: Service) -> None:
    own = Period(D(2024, 5, 2), D(2024, 10, 31))  # not a named period
    with at(AS_OF):
        measures_for_services([world.service, other], own)
        with pytest.raises(ValueError, match="not a named period that has ended"):
            kept.recount(Services((world.service, other)), own)
    assert not KeptTotal.objects.exists()
