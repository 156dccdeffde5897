"""The RR Board report as at the half-year's last day gives the same figures whenever it is
generated and says how many facts about the half-year were recorded after it ended; an
updated edition counts them and is marked as such."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pypdf
import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Patch, Service, User
from pathways.core.errors import DomainError
from pathways.core.periods import half_year
from pathways.outcomes.models import Order, Source, Termination
from pathways.referrals.models import OrderType
from pathways.referrals.tests.factories import LONDON, make_active
from pathways.reports import services
from pathways.reports.models import BoardReport

pytestmark = pytest.mark.django_db

MAY_TO_OCTOBER = half_year(datetime.date(2025, 6, 1))
LATER = datetime.datetime(2026, 1, 15, 12, tzinfo=LONDON)


@pytest.fixture
def late_order(referrer: User, manager: User, north: Patch) -> Order:
    """Zephyrine starts on 2 June 2025; her community order, completed on 1 September
    2025, is entered on 10 January 2026, after the half-year ended."""
    with time_machine.travel(datetime.datetime(2025, 6, 2, 10, tzinfo=LONDON), tick=False):
        referral = make_active(referrer, manager, first_name="Zephyrine")
    return Order.objects.create(
        participant=referral.participant,
        order_type=OrderType.COMMUNITY_ORDER,
        start_date=datetime.date(2024, 9, 1),
        actual_end_date=datetime.date(2025, 9, 1),
        termination=Termination.COMPLETED,
        source=Source.IMPORT,
        source_ref="extract-9",
        recorded_at=datetime.datetime(2026, 1, 10, 9, tzinfo=LONDON),
    )


def _request(manager: User, service: Service, capture: Any, *, updated: bool) -> BoardReport:
    with capture(execute=True), time_machine.travel(LATER, tick=False):
        report = services.board_report_request(
            actor=manager, service=service, period=MAY_TO_OCTOBER, updated=updated
        )
    report.refresh_from_db()
    return report


def _orders_row(report: BoardReport) -> list[Any]:
    for section in report.figures["sections"]:
        for table in section["tables"]:
            for row in table["rows"]:
                if str(row[0]).startswith("7. "):
                    return list(row)
    raise AssertionError("no measure 7 row")


def test_the_first_edition_leaves_out_late_facts_and_counts_them(
    late_order: Order,
    manager: User,
    service: Service,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = _request(manager, service, django_capture_on_commit_callbacks, updated=False)
    assert first.as_of is None
    assert first.figures["as_of"] == "2025-10-31"
    assert _orders_row(first)[1:3] == [0, 0]
    assert first.figures["edition_text"] == ""
    assert first.figures["late_text"].startswith(
        "1 fact about this half-year (orders ended, sustainment checks due"
    )
    client.force_login(manager)
    page = client.get(f"/reports/board/{first.pk}/").content.decode()
    assert "Figures as at 31 October 2025" in page
    assert "Produce an updated edition, as at today" in page

    updated = _request(manager, service, django_capture_on_commit_callbacks, updated=True)
    assert updated.as_of == datetime.date(2026, 1, 15)
    assert updated.figures["as_of"] == "2026-01-15"
    assert _orders_row(updated)[1:3] == [1, 1]
    assert updated.figures["edition_text"].startswith(
        "Updated edition: figures as at 15 January 2026"
    )
    assert updated.figures["late_text"] == ""
    page = client.get(f"/reports/board/{updated.pk}/").content.decode()
    assert "Updated edition: figures as at 15 January 2026" in page
    assert "Produce an updated edition" not in page

    # The first edition, generated again, is the same.
    again = _request(manager, service, django_capture_on_commit_callbacks, updated=False)
    assert again.figures["sections"] == first.figures["sections"]


def test_the_updated_edition_is_asked_for_from_the_page(
    late_order: Order, manager: User, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(LATER):
        response = client.post(
            "/reports/board/new/", {"period": MAY_TO_OCTOBER.key, "edition": "updated"}
        )
    assert response.status_code == 302
    report = BoardReport.objects.get()
    assert report.as_of == datetime.date(2026, 1, 15)


def test_a_half_year_still_open_has_no_updated_edition(manager: User, service: Service) -> None:
    with (
        time_machine.travel(datetime.datetime(2025, 9, 1, 12, tzinfo=LONDON), tick=False),
        pytest.raises(DomainError, match="Only a half-year that has ended"),
    ):
        services.board_report_request(
            actor=manager, service=service, period=MAY_TO_OCTOBER, updated=True
        )


def test_the_pdf_is_tagged_with_its_language_and_title(
    late_order: Order, manager: User, service: Service, django_capture_on_commit_callbacks: Any
) -> None:
    """PDF/UA-1 through WeasyPrint's pdf_variant: a structure tree, marked content, the
    document's language and its title shown as the window title."""
    report = _request(manager, service, django_capture_on_commit_callbacks, updated=False)
    assert report.pdf is not None
    reader = pypdf.PdfReader(io.BytesIO(bytes(report.pdf)))
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title == "RR Board report: May to October 2025"
