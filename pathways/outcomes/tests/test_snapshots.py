"""Period snapshots: figures for closed periods do not change after a purge.

The hand-counted world of ``world.py`` (its half-year ``HALF`` is May to October 2024) is
purged on 3 March 2031, when Fay, Eve and Gus (support ended in 2024) and Kit (declined in
May 2024) are past their retention; everyone else has an open referral and stays. The
clock is frozen; everything runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pathways.accounts.models import Service, User
from pathways.core.models import AuditEvent
from pathways.core.periods import Period, contract_year, half_year, quarter
from pathways.data_protection.retention import purge_expired_records
from pathways.outcomes.figures import FIGURES_VERSION, FrozenFiguresUnreadable, record_figures
from pathways.outcomes.measures import BY_KEY, MEASURES
from pathways.outcomes.models import PeriodSnapshot
from pathways.outcomes.selectors import measures_for_period, trend
from pathways.outcomes.snapshots import freeze_periods_touching, period_figures
from pathways.outcomes.tests.world import HALF, World, at, local
from pathways.participants.models import Participant
from pathways.referrals import services as referrals
from pathways.referrals.models import EndReason
from pathways.referrals.tests.factories import make_active
from pathways.reports import board

pytestmark = pytest.mark.django_db

D = datetime.date
PURGE = local(2031, 3, 3, 2)  # the daily purge, at 2 am
PURGED = {"Fay", "Eve", "Gus", "Kit"}
QUARTER = quarter(D(2024, 5, 1))  # May to July 2024
YEAR = contract_year(D(2024, 5, 1))  # May 2024 to April 2025
# Every named period that the purged people's records count in (from Fay's referral on 1
# February 2024 to Eve's order ending on 1 November 2024), all closed by 2031.
TOUCHED = {
    quarter(D(2024, 2, 1)),
    quarter(D(2024, 5, 1)),
    quarter(D(2024, 8, 1)),
    quarter(D(2024, 11, 1)),
    half_year(D(2024, 2, 1)),
    HALF,
    half_year(D(2024, 11, 1)),
    contract_year(D(2024, 2, 1)),
    YEAR,
}


def _figures(service: Service, period: Period, **kwargs: Any) -> dict[str, Any]:
    return {r.measure.key: r.figure for r in measures_for_period(service, period, **kwargs)}


def _purge() -> int:
    with time_machine.travel(PURGE, tick=False):
        result = purge_expired_records.enqueue()
    assert result.return_value is not None, "the purge failed"
    return result.return_value


def _frozen(service: Service) -> set[tuple[datetime.date, datetime.date]]:
    return set(
        PeriodSnapshot.objects.filter(service=service).values_list("period_start", "period_end")
    )


def _dates(period: Period) -> dict[str, str]:
    """The period chooser sent with dates of one's own (which win over the select's).
    Periods older than the last three years are reached by their dates."""
    return {
        "period": half_year(PURGE.date()).key,
        "start-day": str(period.start.day),
        "start-month": str(period.start.month),
        "start-year": str(period.start.year),
        "end-day": str(period.end.day),
        "end-month": str(period.end.month),
        "end-year": str(period.end.year),
    }


def test_a_purge_leaves_the_figures_of_closed_periods_unchanged(world: World) -> None:
    service = world.service
    with at(PURGE):
        before = {period: _figures(service, period) for period in (HALF, QUARTER, YEAR)}
        trend_before = trend(service, BY_KEY["starts"], [HALF, half_year(D(2025, 5, 1))])
    people = {name: world.person(name).pk for name in world.referrals}

    assert _purge() == len(PURGED)

    kept = set(Participant.objects.values_list("pk", flat=True))
    assert {name for name, pk in people.items() if pk not in kept} == PURGED
    with at(PURGE):
        for period, figures in before.items():
            assert _figures(service, period) == figures, period
        assert trend(service, BY_KEY["starts"], [HALF, half_year(D(2025, 5, 1))]) == trend_before
        # Counted live, the half-year has lost the people purged: the snapshot is needed.
        live = BY_KEY["attrition"].compute(service, HALF, PURGE.date())
        assert (live.numerator, live.denominator) == (0, 0)
        assert before[HALF]["attrition"].numerator == 1  # Eve, disengaged in August 2024
    snapshot = PeriodSnapshot.objects.get(
        service=service, period_start=HALF.start, period_end=HALF.end
    )
    assert snapshot.as_of == PURGE.date()
    assert snapshot.why == "before records were deleted under the retention schedule"
    assert set(snapshot.figures["measures"]) == {measure.key for measure in MEASURES}
    # Every service's periods are frozen (the other service has no figures, but a person's
    # records could count in any service's).
    assert _frozen(service) == {(p.start, p.end) for p in TOUCHED}
    assert PeriodSnapshot.objects.count() == len(TOUCHED) * Service.objects.count()
    # Each snapshot is audited, before the first deletion.
    frozen = AuditEvent.objects.filter(action="figures.frozen")
    assert frozen.count() == PeriodSnapshot.objects.count()
    first_purge = AuditEvent.objects.filter(action="participant.purged").order_by("pk").first()
    assert first_purge is not None and max(event.pk for event in frozen) < first_purge.pk


def test_periods_the_purge_does_not_touch_are_not_frozen(world: World) -> None:
    _purge()
    frozen = _frozen(world.service)
    for untouched in (half_year(D(2023, 5, 1)), quarter(D(2023, 11, 1)), half_year(D(2025, 5, 1))):
        assert (untouched.start, untouched.end) not in frozen


def test_an_open_period_is_not_frozen(world: World) -> None:
    today = D(2026, 6, 15)
    frozen = freeze_periods_touching(D(2026, 1, 1), today, today=today)
    held = _frozen(world.service)
    assert (quarter(D(2026, 2, 1)).start, quarter(D(2026, 2, 1)).end) in held  # ended 30 April
    assert (half_year(D(2025, 11, 1)).start, half_year(D(2025, 11, 1)).end) in held
    assert (contract_year(D(2026, 1, 1)).start, contract_year(D(2026, 1, 1)).end) in held
    # This quarter, half-year and contract year have not ended.
    for still_open in (quarter(today), half_year(today), contract_year(today)):
        assert (still_open.start, still_open.end) not in held
    assert all(end < today for _start, end in held)
    assert frozen == len(held) * Service.objects.count()


def test_a_second_purge_does_not_retake_or_change_a_snapshot(
    world: World, manager: User, referrer: User
) -> None:
    # Ivy's support ends in January 2026, so a purge in 2032 takes her too; her records
    # count in the half-year already frozen in 2031, and in later periods.
    with at(local(2026, 1, 5, 10)):
        referrals.referral_end(
            actor=world.manager,
            referral=world.referrals["Ivy"],
            reason=EndReason.objects.get(code="sustained-work"),
            closing_summary="Closing summary.",
        )
    _purge()
    service = world.service
    first = PeriodSnapshot.objects.get(
        service=service, period_start=HALF.start, period_end=HALF.end
    )
    with at(PURGE):
        frozen_figures = _figures(service, HALF)
    later = local(2032, 3, 3, 2)
    with time_machine.travel(later, tick=False):
        assert purge_expired_records.enqueue().return_value == 1
        assert _figures(service, HALF) == frozen_figures
    again = PeriodSnapshot.objects.get(
        service=service, period_start=HALF.start, period_end=HALF.end
    )
    assert (again.pk, again.taken_at, again.figures) == (first.pk, first.taken_at, first.figures)
    # The periods only Ivy's records touched were frozen by the second purge.
    newer = half_year(D(2025, 11, 1))
    assert (
        PeriodSnapshot.objects.get(
            service=service, period_start=newer.start, period_end=newer.end
        ).as_of
        == later.date()
    )
    with pytest.raises(ValueError, match="never changed"):
        again.save()


def test_the_dashboard_says_the_figures_are_frozen(world: World, manager: User) -> None:
    _purge()
    with at(local(2031, 3, 4, 10)):
        client = Client()
        client.force_login(manager)
        page = client.get("/outcomes/", _dates(HALF)).content.decode()
        assert (
            "Figures frozen on 3 March 2031, before records were deleted under the retention "
            "schedule." in page
        )
        # A half-year the purge did not touch is counted live, and says nothing.
        untouched = client.get("/outcomes/", _dates(half_year(D(2025, 5, 1)))).content.decode()
        assert "Figures frozen" not in untouched and "These dates are not" not in untouched
        # The drill-down gives the frozen figure, and says its list holds only what is left.
        drill = client.get("/outcomes/measures/attrition/", _dates(HALF)).content.decode()
        assert "Figures frozen on 3 March 2031" in drill
        assert "The list below shows only the records still held" in drill
        # A past range of one's own dates is counted live, and the page says so.
        own = Period(D(2024, 5, 2), D(2024, 10, 31))
        live = client.get("/outcomes/", _dates(own)).content.decode()
        assert "These dates are not a contract year, half-year or quarter" in live
        assert "Figures frozen" not in live


def test_the_board_report_of_a_frozen_half_year_is_unchanged(world: World) -> None:
    service = world.service
    with at(PURGE):
        before = board.build(service, HALF, commentary="As discussed.")
    _purge()
    with at(PURGE):
        after = board.build(service, HALF, commentary="As discussed.")
        # Counted live, the report would have changed.
        live = record_figures(service, HALF)
    assert after["sections"] == before["sections"]
    assert before["frozen_text"] == ""
    assert after["frozen_text"].startswith("Figures frozen on 3 March 2031")
    assert (
        live
        != PeriodSnapshot.objects.get(
            service=service, period_start=HALF.start, period_end=HALF.end
        ).figures["records"]
    )


def _leaves(data: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [leaf for k, value in data.items() for leaf in _leaves(value, k)]
    if isinstance(data, list):
        return [leaf for value in data for leaf in _leaves(value, key)]
    return [(key, data)]


def test_a_snapshot_keeps_raw_counts_with_their_version(world: World) -> None:
    _purge()
    snapshot = PeriodSnapshot.objects.get(
        service=world.service, period_start=HALF.start, period_end=HALF.end
    )
    assert snapshot.figures["version"] == FIGURES_VERSION
    assert set(snapshot.figures) == {"version", "measures", "measures_at_end", "records"}
    records = snapshot.figures["records"]
    assert records["referrals_by_source"]["probation"] == 6
    assert records["starts"] == {
        "participants_started": 5,
        "placements_started": 4,
        "job_starts": 2,
    }
    # Numbers only: no title, caption, label or formatted figure; the only text is the
    # names of the distance-travelled instrument and its areas (the records' own).
    text = {key for key, value in _leaves(records) if isinstance(value, str)}
    assert text == {"instrument", "area"}
    assert all(
        value is None or isinstance(value, int | float | str) for _key, value in _leaves(records)
    )
    # Equality counts are kept as they may be published: no group's count of 1 to 4
    # outlives the records of the people it counts.
    equality = records["equality"]
    assert equality["threshold"] == 4
    groups = [table["rows"] for table in equality["tables"].values()]
    counts = [n for _key, n in _leaves(groups) if n is not None]
    assert counts and not any(1 <= n <= 4 for n in counts)
    assert any(n is None for _key, n in _leaves(groups))  # some were withheld


def test_a_snapshot_of_the_first_shape_gives_its_measures_but_not_the_report(
    world: World,
) -> None:
    service = world.service
    with at(PURGE):
        measures = period_figures(service, HALF, today=PURGE.date())
    # To tell the frozen figure from a live one, as at the day of freezing and as at the
    # half-year's last day (the day the pages count a closed half-year as at).
    measures["measures"]["starts"]["value"] = 99
    measures["measures_at_end"]["starts"]["value"] = 99
    # Before figures were versioned, a snapshot kept the report's sections as formatted.
    old = {
        "measures": measures["measures"],
        "measures_at_end": measures["measures_at_end"],
        "board": {"by_source": [["Probation", 6]], "contract_starts": {}},
    }
    PeriodSnapshot.objects.create(
        service=service,
        period_start=HALF.start,
        period_end=HALF.end,
        taken_at=PURGE,
        as_of=PURGE.date(),
        why="before records were deleted under the retention schedule",
        figures=old,
    )
    with at(PURGE):
        assert _figures(service, HALF)["starts"].value == 99
        with pytest.raises(FrozenFiguresUnreadable, match=r"older form \(version 1\)"):
            board.build(service, HALF, commentary="")


def test_a_failed_freeze_deletes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("pathways.data_protection.retention.freeze_periods_touching", fail)
    people = Participant.objects.count()
    with time_machine.travel(PURGE, tick=False):
        result = purge_expired_records.enqueue()
    assert result.status == "FAILED"
    assert Participant.objects.count() == people


def test_a_failed_deletion_keeps_the_snapshots_and_the_next_run_finishes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**_kwargs: object) -> dict[str, int]:
        raise RuntimeError("the worker was stopped")

    with monkeypatch.context() as patched:
        patched.setattr("pathways.data_protection.retention.participant_purge", fail)
        with time_machine.travel(PURGE, tick=False):
            purge_expired_records.enqueue()
    taken = {s.pk: s.taken_at for s in PeriodSnapshot.objects.all()}
    assert taken
    assert _purge() == len(PURGED)
    assert {s.pk: s.taken_at for s in PeriodSnapshot.objects.all()} == taken


def _freeze_queries() -> int:
    PeriodSnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        frozen = freeze_periods_touching(HALF.start, HALF.end, today=D(2031, 3, 3))
    assert frozen == 4 * Service.objects.count()  # the half-year, its quarters, the year
    return len(queries)


def test_freezing_takes_the_same_queries_however_many_people(
    world: World, referrer: User, manager: User
) -> None:
    few = _freeze_queries()
    with at(local(2024, 6, 20, 10)):
        for _ in range(5):
            make_active(referrer, manager)
    assert _freeze_queries() == few


def test_the_periods_touching_a_span_are_every_named_period_ended_before_today() -> None:
    from pathways.outcomes.snapshots import named_periods_touching

    found = named_periods_touching(D(2024, 4, 30), D(2024, 5, 1), today=D(2024, 11, 1))
    assert set(found) == {
        quarter(D(2024, 4, 30)),
        quarter(D(2024, 5, 1)),
        half_year(D(2024, 4, 30)),
        HALF,  # ended 31 October 2024, the day before today
        contract_year(D(2024, 4, 30)),
    }  # not the contract year May 2024 to April 2025: it has not ended
