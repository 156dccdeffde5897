"""The commissioner's home: the last closed half-year from its RR Board report (read from
the report, never counted again), the half-year in progress judged pro rata, in a fixed
number of queries however large the service."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pathways.accounts.models import Patch, Service, User
from pathways.core.periods import half_year
from pathways.outcomes.models import Target, TargetKind
from pathways.referrals.tests.factories import LONDON, make_referral
from pathways.reports import services
from pathways.reports.models import BoardReport

pytestmark = pytest.mark.django_db

MAY_TO_OCTOBER = half_year(datetime.date(2025, 6, 1))
NOVEMBER_TO_APRIL = half_year(datetime.date(2025, 12, 1))
LATER = datetime.datetime(2026, 1, 15, 12, tzinfo=LONDON)


@pytest.fixture
def activity(referrer: User, manager: User, service: Service, north: Patch) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 2, 10, tzinfo=LONDON), tick=False):
        for name in ("Zephyrine", "Quillon", "Xanthe"):
            make_referral(referrer, first_name=name)
    with time_machine.travel(datetime.datetime(2025, 12, 3, 10, tzinfo=LONDON), tick=False):
        make_referral(referrer, first_name="Yorick")
    for period, value in ((MAY_TO_OCTOBER, "10"), (NOVEMBER_TO_APRIL, "6")):
        Target.objects.create(
            service=service,
            measure_key="referrals_received",
            period_start=period.start,
            period_end=period.end,
            kind=TargetKind.INTERMEDIATE,
            value=Decimal(value),
            set_by=manager,
            set_at=LATER,
        )


def _generate(manager: User, service: Service, capture: Any) -> BoardReport:
    with capture(execute=True), time_machine.travel(LATER, tick=False):
        report = services.board_report_request(
            actor=manager, service=service, period=MAY_TO_OCTOBER
        )
    report.refresh_from_db()
    return report


def _home(client: Client, user: User) -> Any:
    client.force_login(user)
    with time_machine.travel(LATER, tick=False):
        return client.get("/", follow=True)


def test_the_commissioners_home_is_the_summary_of_figures(
    activity: None, commissioner: User, client: Client
) -> None:
    response = _home(client, commissioner)
    assert response.redirect_chain[-1][0] == "/summary/"
    page = response.content.decode()
    assert "Last closed half-year: May to October 2025" in page
    assert "Half-year in progress: November 2025 to April 2026" in page
    current = [item for item in response.context["nav_items"] if item["active"]]
    assert [item["label"] for item in current] == ["Summary"]


def test_without_a_report_the_closed_half_year_shows_the_figures_it_will_hold(
    activity: None, commissioner: User, client: Client
) -> None:
    response = _home(client, commissioner)
    closed = response.context["closed"]
    assert closed.report is None
    assert "has not been generated yet: the service manager generates it" in (
        response.content.decode()
    )
    received = next(row for row in closed.rows if row.title.startswith("Referrals received"))
    # 3 against a target of 10 for a closed half-year: below target, judged in full.
    assert received.figure == 3
    assert received.status == "red"
    assert ("red", "Below target", 1) in closed.statuses
    assert "the service received 3 referrals" in closed.summary


def test_a_generated_report_is_read_as_kept_not_counted_again(
    activity: None,
    manager: User,
    commissioner: User,
    service: Service,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _generate(manager, service, django_capture_on_commit_callbacks)
    # The kept figures are what the page shows: change them, and the page follows.
    sections = report.figures["sections"]
    sections[0]["paragraphs"] = ["As the report says."]
    measures = next(section for section in sections if section["key"] == "measures")
    row = next(r for r in measures["tables"][0]["rows"] if r[0].startswith("Referrals received"))
    row[1] = 97
    BoardReport.objects.filter(pk=report.pk).update(figures=report.figures)
    response = _home(client, commissioner)
    closed = response.context["closed"]
    assert closed.report.pk == report.pk
    assert closed.summary == "As the report says."
    assert next(r for r in closed.rows if r.title.startswith("Referrals received")).figure == 97
    page = response.content.decode()
    assert f"/reports/board/{report.pk}/" in page
    assert f"/reports/board/{report.pk}/pdf/" in page
    assert f"/reports/board/{report.pk}/xlsx/" in page
    assert "has not been generated yet" not in page


def test_the_half_year_in_progress_is_judged_pro_rata(
    activity: None, commissioner: User, client: Client
) -> None:
    response = _home(client, commissioner)
    half = response.context["open"]
    received = next(row for row in half.rows if row.title.startswith("Referrals received"))
    assert received.figure == 1
    # Never "Below target" before the half-year ends: behind the pro-rata share so far.
    assert received.status == "behind_pro_rata"
    assert "In progress: behind the target so far" in response.content.decode()


def test_the_page_is_a_fixed_number_of_queries_as_the_service_grows(
    activity: None, referrer: User, commissioner: User, client: Client
) -> None:
    def count() -> int:
        client.force_login(commissioner)
        with time_machine.travel(LATER, tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get("/summary/").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first view keeps the last closed half-year's figures (outcomes.kept)
    before = count()
    for moment in (datetime.datetime(2025, 7, 1, 10, tzinfo=LONDON), LATER):
        with time_machine.travel(moment, tick=False):
            for index in range(5):
                make_referral(referrer, first_name=f"More{index}")
    assert count() == before


def test_other_roles_are_refused(worker_north: User, referrer: User, client: Client) -> None:
    for user in (worker_north, referrer):
        client.force_login(user)
        assert client.get("/summary/").status_code == 404
