"""Each reading keeps its total and span for the distance-travelled figures: set by the
service that records it, worked out again by the rebuild command (and the migration), and
the figures are the same with them kept or not."""

from __future__ import annotations

import dataclasses
import datetime
import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from pathways.accounts.models import Service, User
from pathways.plans import selectors
from pathways.plans.models import Reading, ReadingKind
from pathways.plans.tests.test_selectors import _instrument, _read, figures_cases
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

D = datetime.date
__all__ = ["figures_cases"]  # the fixture, shared with the selectors' tests


def _kept() -> dict[int, tuple[int | None, int | None]]:
    return {r.pk: (r.total, r.span) for r in Reading.objects.all()}


def test_the_service_keeps_each_readings_total_and_span(case: Referral, worker_north: User) -> None:
    _read(worker_north, case, ReadingKind.INTAKE, D(2026, 9, 2), 2, 5)
    reading = Reading.objects.get(referral=case)
    scores = [s.score for s in reading.scores.all()]
    instrument = _instrument()
    assert reading.total == sum(scores) == 21  # six areas: 2, 5, 2, 5, 2, 5
    assert reading.span == len(scores) * (instrument.scale_max - instrument.scale_min) == 54


def test_the_rebuild_command_works_them_out_again_from_the_scores(
    figures_cases: dict[str, Referral],
) -> None:
    kept = _kept()
    Reading.objects.update(total=None, span=None)
    Reading.objects.filter(pk=min(kept)).update(total=999, span=1)  # wrong: put right
    out = StringIO()
    call_command("rebuild_reading_totals", stdout=out)
    assert _kept() == kept
    assert f"{len(kept)} readings" in out.getvalue()


def test_the_migration_works_them_out_for_readings_already_recorded(
    figures_cases: dict[str, Referral],
) -> None:
    kept = _kept()
    Reading.objects.update(total=None, span=None)
    migration = importlib.import_module("pathways.plans.migrations.0004_reading_total_span")
    migration.fill(apps, None)
    assert _kept() == kept


@pytest.mark.parametrize("kept", [True, False])
def test_the_figures_are_the_same_whether_the_totals_are_kept_or_not(
    figures_cases: dict[str, Referral], service: Service, kept: bool
) -> None:
    """Where a reading has no kept total (written around the service), the figures sum
    its scores: up 1, same 1, down 1, as the selectors' tests count."""
    if not kept:
        Reading.objects.update(total=None, span=None)
    start, end = D(2026, 6, 1), D(2026, 7, 31)
    figures = selectors.distance_travelled(service, start, end, _instrument())
    assert (figures.counted, figures.moved_up, figures.stayed, figures.moved_down) == (3, 1, 1, 1)
    overall = selectors.overall_distance(service, start, end)
    # Up +4 in each of six areas (24 of 54), same 0, down -1 in each (-6 of 54).
    assert dataclasses.astuple(overall)[:5] == (3, 1, 1, 1, pytest.approx((24 - 6) / 54 / 3))
