from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Patch, Service, User
from pathways.casework.selectors import caseload_for
from pathways.plans import selectors, services
from pathways.plans.charts import progress_chart
from pathways.plans.models import Instrument, ReadingKind, ReviewReason
from pathways.referrals import services as referrals
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import LONDON, make_active

pytestmark = pytest.mark.django_db

D = datetime.date


def _instrument() -> Instrument:
    instrument = selectors.default_instrument()
    assert instrument is not None
    return instrument


def _read(
    actor: User, referral: Referral, kind: ReadingKind, on: datetime.date, *values: int
) -> None:
    instrument = _instrument()
    areas = list(instrument.areas.all())
    scores = {area.pk: values[n % len(values)] for n, area in enumerate(areas)}
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(15), LONDON)):
        services.reading_record(
            actor=actor,
            referral=referral,
            instrument=instrument,
            kind=kind,
            taken_on=on,
            scores=scores,
        )


def _started(referrer: User, manager: User, on: datetime.date, **person: str) -> Referral:
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(9), LONDON)):
        return make_active(referrer, manager, **person)


# Overdue reviews, with a frozen clock


def test_the_initial_review_falls_due_fourteen_days_after_the_start(
    case: Referral, worker_north: User, manager: User
) -> None:
    with time_machine.travel(datetime.datetime(2026, 9, 15, 12, tzinfo=LONDON), tick=False):
        assert list(selectors.overdue_reviews_for(worker_north)) == []
        assert selectors.review_due(case) == D(2026, 9, 15)
    with time_machine.travel(datetime.datetime(2026, 9, 16, 12, tzinfo=LONDON), tick=False):
        assert list(selectors.overdue_reviews_for(worker_north)) == [case]
        assert list(selectors.overdue_reviews_for(manager)) == [case]


def test_a_review_moves_the_due_date_and_lapses_again_after_it(
    case: Referral, worker_north: User, worker_south: User
) -> None:
    services.review_record(
        actor=worker_north,
        referral=case,
        reviewed_on=D(2026, 10, 1),
        reason=ReviewReason.INITIAL,
        what_changed="Agreed goals",
        next_review_due=D(2026, 10, 29),
    )
    with time_machine.travel(datetime.datetime(2026, 10, 29, 12, tzinfo=LONDON), tick=False):
        assert not selectors.overdue_reviews_for(worker_north).exists()
        row = caseload_for(worker_north).get()
        assert row.next_review_due == D(2026, 10, 29)  # type: ignore[attr-defined]
        assert row.review_overdue is False  # type: ignore[attr-defined]
    with time_machine.travel(datetime.datetime(2026, 10, 30, 12, tzinfo=LONDON), tick=False):
        assert list(selectors.overdue_reviews_for(worker_north)) == [case]
        assert caseload_for(worker_north).get().review_overdue is True  # type: ignore[attr-defined]
        # Another patch's worker has nothing of this person's on their list.
        assert not selectors.overdue_reviews_for(worker_south).exists()


def test_an_ended_episode_has_no_review_due(case: Referral, manager: User) -> None:
    from pathways.referrals.models import EndReason

    referrals.referral_end(
        actor=manager,
        referral=case,
        reason=EndReason.objects.get(code="moved-away"),
        closing_summary="Moved to Leeds",
    )
    assert not selectors.overdue_reviews_for(manager).exists()


# First against latest, per area


def test_progress_compares_the_first_reading_with_the_latest(
    case: Referral, worker_north: User
) -> None:
    _read(worker_north, case, ReadingKind.INTAKE, D(2026, 9, 2), 3)
    _read(worker_north, case, ReadingKind.REVIEW, D(2026, 9, 20), 5)
    _read(worker_north, case, ReadingKind.REVIEW, D(2026, 9, 30), 6, 2)
    progress = selectors.progress_of(selectors.readings_of(case))
    assert progress is not None
    assert progress.has_change
    assert progress.first.taken_on == D(2026, 9, 2)
    assert progress.latest.taken_on == D(2026, 9, 30)
    assert [row.change for row in progress.rows] == [3, -1, 3, -1, 3, -1]
    assert progress.rows[0].first_band == "Not ready yet"
    assert progress.rows[0].latest_band == "Getting ready"


def test_no_progress_without_readings_and_no_chart_from_one(
    case: Referral, worker_north: User
) -> None:
    assert selectors.progress_of(selectors.readings_of(case)) is None
    assert progress_chart(None) == ""
    _read(worker_north, case, ReadingKind.INTAKE, D(2026, 9, 2), 3)
    progress = selectors.progress_of(selectors.readings_of(case))
    assert progress is not None and not progress.has_change
    assert progress_chart(progress) == ""


def test_the_chart_is_one_labelled_svg_image_with_every_area(
    case: Referral, worker_north: User
) -> None:
    instrument = _instrument()
    area = instrument.areas.first()
    assert area is not None
    area.name = "Maths & <English>"
    area.save()
    _read(worker_north, case, ReadingKind.INTAKE, D(2026, 9, 2), 3)
    _read(worker_north, case, ReadingKind.REVIEW, D(2026, 9, 20), 5)
    svg = progress_chart(selectors.progress_of(selectors.readings_of(case)))
    assert svg.startswith('<svg role="img" aria-label="Bar chart of first against latest')
    assert "Maths &amp; &lt;English&gt;" in svg
    assert "<English>" not in svg
    assert "Workplace skills" in svg
    assert "<script" not in svg


# Service figures


@pytest.fixture
def figures_cases(
    referrer: User, manager: User, worker_north: User, north: Patch, service: Service
) -> dict[str, Referral]:
    """Episodes that move up, stay, move down, have one reading, or read outside the period."""
    cases = {
        name: _started(referrer, manager, D(2026, 5, 2), first_name=name.title())
        for name in ("up", "same", "down", "single", "late", "early")
    }
    _read(manager, cases["up"], ReadingKind.INTAKE, D(2026, 5, 3), 2)
    _read(manager, cases["up"], ReadingKind.REVIEW, D(2026, 6, 1), 3)  # not the latest
    _read(manager, cases["up"], ReadingKind.EXIT, D(2026, 7, 1), 6)
    _read(manager, cases["same"], ReadingKind.INTAKE, D(2026, 5, 3), 4, 6)
    _read(manager, cases["same"], ReadingKind.REVIEW, D(2026, 7, 2), 6, 4)
    _read(manager, cases["down"], ReadingKind.INTAKE, D(2026, 5, 3), 6)
    _read(manager, cases["down"], ReadingKind.REVIEW, D(2026, 7, 3), 5)
    _read(manager, cases["single"], ReadingKind.INTAKE, D(2026, 6, 3), 1)
    # Its second reading falls after the period: within the period it has only one.
    _read(manager, cases["late"], ReadingKind.INTAKE, D(2026, 6, 3), 1)
    _read(manager, cases["late"], ReadingKind.REVIEW, D(2026, 8, 3), 9)
    # Both readings before the period: nothing of it happened in the period.
    _read(manager, cases["early"], ReadingKind.INTAKE, D(2026, 5, 3), 1)
    _read(manager, cases["early"], ReadingKind.REVIEW, D(2026, 5, 31), 9)
    return cases


def test_distance_travelled_counts_those_with_two_readings_by_the_end_of_the_period(
    figures_cases: dict[str, Referral], service: Service
) -> None:
    figures = selectors.distance_travelled(service, D(2026, 6, 1), D(2026, 7, 31), _instrument())
    counted = set(selectors.counted_episodes(service, _instrument(), D(2026, 6, 1), D(2026, 7, 31)))
    assert counted == {figures_cases[k] for k in ("up", "same", "down")}
    assert (figures.counted, figures.moved_up, figures.stayed, figures.moved_down) == (3, 1, 1, 1)
    assert figures.share(figures.moved_up) == pytest.approx(1 / 3)
    # First area: starts 2, 4, 6 (average 4); changes +4, +2, -1 (average 5/3).
    first = figures.areas[0]
    assert first.average_start == pytest.approx(4.0)
    assert first.average_change == pytest.approx(5 / 3)
    # Second area: starts 2, 6, 6; changes +4, -2, -1.
    second = figures.areas[1]
    assert second.average_start == pytest.approx(14 / 3)
    assert second.average_change == pytest.approx(1 / 3)
    assert len(figures.areas) == 6


def test_distance_travelled_is_empty_for_a_period_with_nothing_in_it(
    figures_cases: dict[str, Referral], service: Service
) -> None:
    figures = selectors.distance_travelled(service, D(2025, 5, 1), D(2025, 10, 31), _instrument())
    assert figures.counted == 0
    assert figures.areas == []
    assert figures.share(0) is None


def test_distance_travelled_is_counted_per_service(
    figures_cases: dict[str, Referral], outsider: User
) -> None:
    assert outsider.service is not None
    figures = selectors.distance_travelled(
        outsider.service, D(2026, 5, 1), D(2026, 10, 31), _instrument()
    )
    assert figures.counted == 0


def test_distance_travelled_takes_a_fixed_number_of_queries(
    figures_cases: dict[str, Referral],
    service: Service,
    django_assert_max_num_queries: object,
) -> None:
    instrument = _instrument()
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        selectors.distance_travelled(service, D(2026, 5, 1), D(2026, 10, 31), instrument)


def test_the_chart_is_cached_until_a_new_reading(
    case: Referral, worker_north: User, client: Client
) -> None:
    from unittest import mock

    from pathways.plans import charts

    _read(worker_north, case, ReadingKind.INTAKE, D(2026, 9, 2), 3)
    _read(worker_north, case, ReadingKind.REVIEW, D(2026, 9, 20), 5)
    with mock.patch.object(charts, "chart", wraps=charts.chart) as drawn:
        first = progress_chart(selectors.progress_of(selectors.readings_of(case)))
        again = progress_chart(selectors.progress_of(selectors.readings_of(case)))
        assert drawn.call_count == 1 and again == first
        progress = selectors.progress_of(selectors.readings_of(case))
        assert progress is not None
        key = charts.cache_key(progress)
        assert key == f"plans:progress-chart:v2:{_instrument().pk}:" + ":".join(
            str(n) for n in (progress.first.pk, progress.latest.pk, 2)
        )  # ids and a count: nothing personal
        _read(worker_north, case, ReadingKind.REVIEW, D(2026, 9, 25), 6)
        client.force_login(worker_north)
        page = client.get(f"/referrals/{case.pk}/progress/").content.decode()
        assert drawn.call_count == 2
        assert "Latest reading, 25 Sep 2026" in page and "Latest reading, 20 Sep" not in page
        client.get(f"/referrals/{case.pk}/progress/")
        assert drawn.call_count == 2
