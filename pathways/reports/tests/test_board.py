from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
import pypdf
import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Patch, Service, User
from pathways.core.models import AuditEvent
from pathways.core.periods import half_year
from pathways.referrals.tests.factories import LONDON, make_active, make_referral
from pathways.reports import services
from pathways.reports.models import BoardReport, ReportStatus

pytestmark = pytest.mark.django_db

# A closed half-year with some activity in it, reported on a later day.
MAY_TO_OCTOBER = half_year(datetime.date(2025, 6, 1))
LATER = datetime.datetime(2026, 1, 15, 12, tzinfo=LONDON)


@pytest.fixture
def activity(referrer: User, manager: User, north: Patch) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 2, 10, tzinfo=LONDON), tick=False):
        make_active(referrer, manager, first_name="Zephyrine")
        make_active(referrer, manager, first_name="Quillon")
        make_referral(referrer, first_name="Xanthe")
    with time_machine.travel(datetime.datetime(2025, 11, 3, 10, tzinfo=LONDON), tick=False):
        make_referral(referrer, first_name="Yorick")  # after the half-year


def _generate(manager: User, service: Service, capture: Any, text: str = "") -> BoardReport:
    """Ask for a report and run its background task (the test backend runs it at once)."""
    with capture(execute=True), time_machine.travel(LATER, tick=False):
        if text:
            services.commentary_save(
                actor=manager, service=service, period=MAY_TO_OCTOBER, text=text
            )
        report = services.board_report_request(
            actor=manager, service=service, period=MAY_TO_OCTOBER
        )
    report.refresh_from_db()
    return report


def _tables(report: BoardReport) -> dict[str, dict]:
    return {
        table["caption"]: table
        for section in report.figures["sections"]
        for table in section["tables"]
    }


def test_a_report_is_generated_with_every_section(
    activity: None, manager: User, service: Service, django_capture_on_commit_callbacks: Any
) -> None:
    report = _generate(
        manager, service, django_capture_on_commit_callbacks, "Good half-year.\nMore to do on jobs."
    )
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    keys = [section["key"] for section in report.figures["sections"]]
    assert keys[:5] == ["summary", "activity", "measures", "distance", "placements"]
    assert keys[5:] == ["equality", "contract", "commentary"]
    # Equality figures leave the manager's view disclosure-controlled: no group's count is
    # 1 to 4 (the last row is the total of all referrals, published elsewhere too).
    equality = next(s for s in report.figures["sections"] if s["key"] == "equality")
    for table in equality["tables"]:
        for row in table["rows"][:-1]:
            for cell in row[1:]:
                count = int(str(cell).split(" ")[0]) if str(cell)[0].isdigit() else None
                assert count is None or count == 0 or count > 4, (table["caption"], row)
    referrals_table = _tables(report)["Referrals and support"]
    assert ["Referrals received", 3] in referrals_table["rows"]
    assert ["Starts on the service", 2] in referrals_table["rows"]
    commentary = report.figures["sections"][-1]["paragraphs"]
    assert commentary == ["Good half-year.", "More to do on jobs."]


def test_the_pdf_and_the_spreadsheet_carry_the_figures_of_the_page(
    activity: None,
    client: Client,
    manager: User,
    service: Service,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _generate(manager, service, django_capture_on_commit_callbacks)
    client.force_login(manager)
    page = client.get(f"/reports/board/{report.pk}/").content.decode()
    assert report.pdf is not None and report.xlsx is not None
    pdf_text = " ".join(
        part.extract_text() for part in pypdf.PdfReader(io.BytesIO(bytes(report.pdf))).pages
    )
    book = openpyxl.load_workbook(io.BytesIO(bytes(report.xlsx)))
    cells = {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    table = _tables(report)["Every measure for the half-year"]
    assert table["rows"], "the measures table has rows"
    for row in table["rows"]:
        title, value = row[0], row[1]
        assert title in cells and value in cells
        assert f"{title}</th>" in page
        assert title in " ".join(pdf_text.split())  # the PDF wraps lines
    assert [sheet.title for sheet in book.worksheets][:3] == [
        "Summary",
        "Activity",
        "Measures against targets",
    ]


def test_generating_a_closed_half_year_again_gives_the_same_figures(
    activity: None, manager: User, service: Service, django_capture_on_commit_callbacks: Any
) -> None:
    first = _generate(manager, service, django_capture_on_commit_callbacks)
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=LONDON)),
    ):
        second = services.board_report_request(
            actor=manager, service=service, period=MAY_TO_OCTOBER
        )
    second.refresh_from_db()
    assert second.pk != first.pk
    assert second.figures["sections"] == first.figures["sections"]


@pytest.mark.parametrize("who", ["commissioner", "referrer", "worker_north", "admin"])
def test_only_the_manager_writes_and_generates(
    client: Client, personas: dict[str, User], who: str
) -> None:
    client.force_login(personas[who])
    assert client.post("/reports/board/new/", {"period": MAY_TO_OCTOBER.key}).status_code == 404
    assert client.get(f"/reports/board/commentary/?period={MAY_TO_OCTOBER.key}").status_code == 404
    assert not BoardReport.objects.exists()


def test_the_commissioner_reads_and_downloads_and_downloads_are_audited(
    activity: None,
    client: Client,
    manager: User,
    commissioner: User,
    service: Service,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _generate(manager, service, django_capture_on_commit_callbacks)
    client.force_login(commissioner)
    assert client.get("/reports/board/").status_code == 200
    page = client.get(f"/reports/board/{report.pk}/").content.decode()
    assert "Zephyrine" not in page and "Quillon" not in page  # no person is named
    pdf = client.get(f"/reports/board/{report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(f"/reports/board/{report.pk}/xlsx/")
    assert xlsx.status_code == 200
    assert list(
        AuditEvent.objects.filter(action__startswith="report.downloaded").values_list(
            "action", "actor"
        )
    ) == [("report.downloaded_xlsx", commissioner.pk), ("report.downloaded_pdf", commissioner.pk)]


@pytest.mark.parametrize("who", ["referrer", "worker_north", "admin", "outsider"])
def test_reports_are_not_found_outside_the_service_or_role(
    activity: None,
    client: Client,
    manager: User,
    service: Service,
    personas: dict[str, User],
    who: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _generate(manager, service, django_capture_on_commit_callbacks)
    client.force_login(personas[who])
    for path in ("", "pdf/", "xlsx/"):
        assert client.get(f"/reports/board/{report.pk}/{path}").status_code == 404


def test_only_offered_half_years_can_be_asked_for(client: Client, manager: User) -> None:
    client.force_login(manager)
    response = client.post("/reports/board/new/", {"period": "2020-01-01:2020-03-31"})
    assert response.status_code == 404
    assert not BoardReport.objects.exists()


def test_a_report_still_running_shows_its_progress(
    client: Client, manager: User, service: Service
) -> None:
    # Without running the on-commit callback, the report stays queued.
    report = services.board_report_request(actor=manager, service=service, period=MAY_TO_OCTOBER)
    client.force_login(manager)
    body = client.get(f"/reports/board/{report.pk}/").content.decode()
    assert "Waiting to start" in body and "Refresh to see progress" in body
    assert client.get(f"/reports/board/{report.pk}/pdf/").status_code == 404
