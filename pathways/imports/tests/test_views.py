"""Import pages, the conflicts page and the Justice Data Lab export: manager only."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.models import AuditEvent, AuditKind
from pathways.imports.models import BatchStatus, ImportBatch, Kind
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import ORDERS_HEADER, crafted_xlsx, csv_file, sheet_xml
from pathways.outcomes.models import Order, ProvenOffence, Source
from pathways.participants.models import Participant
from pathways.referrals.tests.factories import make_active

pytestmark = pytest.mark.usefixtures("people")

GOOD = f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,2023-09-01,completed\n".encode()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes = GOOD, name: str = "orders.csv", **extra: str) -> Any:
    data = {"kind": Kind.ORDERS, "file": SimpleUploadedFile(name, content, "text/csv"), **extra}
    return client.post("/imports/", data)


def test_manager_uploads_and_the_task_runs(manager: User) -> None:
    client = client_for(manager)
    response = upload(client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    assert batch.status == BatchStatus.DONE and batch.uploaded_by == manager
    assert Order.objects.get().source == Source.IMPORT
    page = client.get(f"/imports/{batch.pk}/")
    assert b"Imported" in page.content and batch.checksum.encode() in page.content
    home = client.get("/imports/")
    assert b"orders.csv" in home.content


def test_dry_run_from_the_page(manager: User) -> None:
    upload(client_for(manager), dry_run="on")
    batch = ImportBatch.objects.get()
    assert batch.dry_run and batch.status == BatchStatus.CHECKED and batch.created == 1
    assert not Order.objects.exists()


def test_errors_are_shown_and_downloadable(manager: User) -> None:
    client = client_for(manager)
    upload(client, f"{ORDERS_HEADER}\nA000001,licence,=1+1,,,\n".encode())
    batch = ImportBatch.objects.get()
    page = client.get(f"/imports/{batch.pk}/")
    assert b"Nothing changed" in page.content and b"=1+1" in page.content
    report = client.get(f"/imports/{batch.pk}/report.csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["2", "start_date", "'=1+1"]


def test_viewing_and_downloading_the_error_report_are_audited(
    manager: User, tmp_path: Path
) -> None:
    """The report quotes CRNs and values of the file: each view and download of it writes
    one audit event naming the import; a page with no report writes none."""
    client = client_for(manager)
    upload(
        client,
        f"{ORDERS_HEADER}\nA000001,licence,=1+1,,,\nZ999999,licence,2023-01-01,,,\n".encode(),
    )
    batch = ImportBatch.objects.get()
    assert batch.report["errors"]
    client.get(f"/imports/{batch.pk}/")
    client.get(f"/imports/{batch.pk}/")
    client.get(f"/imports/{batch.pk}/report.csv")
    events = AuditEvent.objects.filter(object_type="imports.importbatch", object_id=str(batch.pk))
    assert list(events.filter(action="import.report_viewed").values_list("kind", "actor")) == [
        (AuditKind.VIEW, manager.pk),
        (AuditKind.VIEW, manager.pk),
    ]
    [download] = events.filter(action="import.report_downloaded")
    assert download.kind == AuditKind.EXPORT and download.actor_id == manager.pk
    clean = import_file(
        actor=manager,
        service=manager.service,  # type: ignore[arg-type]
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, GOOD.decode(), name="good.csv"),
    )
    client.get(f"/imports/{clean.pk}/")
    assert not AuditEvent.objects.filter(
        action="import.report_viewed", object_id=str(clean.pk)
    ).exists()


def test_a_file_too_large_says_why_on_its_page(manager: User, tmp_path: Path) -> None:
    client = client_for(manager)
    path = crafted_xlsx(tmp_path, sheet_xml([ORDERS_HEADER.split(",")], ref="A1:F1048576"))
    upload(client, path.read_bytes(), name="big.xlsx")
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.TOO_LARGE
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert f"Import {batch.pk}: too large to import: nothing changed" in page
    assert "The file is too large to import: a sheet says it has 1,048,575 data rows" in page


def test_duplicate_upload_names_the_earlier_import(manager: User) -> None:
    client = client_for(manager)
    upload(client)
    upload(client, name="again.csv")
    first, again = ImportBatch.objects.order_by("pk")
    assert again.status == BatchStatus.DUPLICATE and again.matched == first
    page = client.get(f"/imports/{again.pk}/")
    assert f"import {first.pk}".encode() in page.content


def test_wrong_file_type_is_refused_by_the_form(manager: User) -> None:
    response = upload(client_for(manager), b"hello", name="notes.txt")
    assert response.status_code == 200 and b"must be a CSV or XLSX file" in response.content
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("persona", ["referrer", "worker_north", "commissioner", "admin"])
@pytest.mark.parametrize(
    "path",
    [
        "/imports/",
        "/imports/{pk}/",
        "/imports/{pk}/report.csv",
        "/imports/conflicts/",
        "/imports/justice-data-lab/",
        "/imports/justice-data-lab/export.csv",
        "/imports/justice-data-lab/export.xlsx",
    ],
)
def test_every_other_role_is_refused(
    personas: dict[str, User], manager: User, tmp_path: Path, persona: str, path: str
) -> None:
    assert manager.service is not None
    batch = import_file(
        actor=manager,
        service=manager.service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, GOOD.decode()),
    )
    before = AuditEvent.objects.filter(kind=AuditKind.REFUSAL).count()
    response = client_for(personas[persona]).get(path.format(pk=batch.pk))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(kind=AuditKind.REFUSAL).count() == before + 1


@pytest.mark.parametrize("path", ["/imports/{pk}/", "/imports/{pk}/report.csv"])
def test_another_services_manager_cannot_see_the_import(
    manager: User, outsider: User, tmp_path: Path, path: str
) -> None:
    assert manager.service is not None
    batch = import_file(
        actor=manager,
        service=manager.service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, GOOD.decode()),
    )
    client = client_for(outsider)
    assert client.get(path.format(pk=batch.pk)).status_code == 404
    assert AuditEvent.objects.filter(kind=AuditKind.REFUSAL, actor=outsider).count() == 1
    assert b"extract.csv" not in client.get("/imports/").content
    export = client.get("/imports/justice-data-lab/export.csv")
    assert export["X-Participant-Count"] == "0"


def test_others_cannot_post_an_upload(worker_north: User) -> None:
    assert upload(client_for(worker_north)).status_code == 404
    assert not ImportBatch.objects.exists()


def test_no_personal_data_in_urls(manager: User) -> None:
    client = client_for(manager)
    upload(client)
    home = client.get("/imports/").content.decode()
    assert "A000001" not in "".join(part.split('"')[0] for part in home.split('href="')[1:])


def test_jdl_export_fields_warning_and_single_audit(
    manager: User, referrer: User, people: list[Participant]
) -> None:
    make_active(referrer, manager, crn="A000009", first_name="=cmd", last_name="Smith")
    client = client_for(manager)
    page = client.get("/imports/justice-data-lab/")
    assert b"needs at least 60 people" in page.content
    response = client.get("/imports/justice-data-lab/export.csv")
    assert response.status_code == 200 and response["X-Participant-Count"] == "1"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Surname",
        "Forename",
        "Date of birth",
        "Gender",
        "PNC ID",
        "Prison number",
        "CRN",
        "Support start date",
        "Support end date",
        "Completed support",
    ]
    (row,) = rows[1:]  # only the person who started support
    assert row[0] == "Smith" and row[1] == "'=cmd" and row[6] == "A000009"
    assert row[7] == timezone.localdate().strftime("%d/%m/%Y") and row[8] == ""
    assert row[9] == "Not yet: still receiving support"
    events = AuditEvent.objects.filter(action="jdl.exported")
    assert events.count() == 1 and events.get().detail == {"format": "csv", "people": 1}
    xlsx = client.get("/imports/justice-data-lab/export.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][1] == "'=cmd" and isinstance(values[1][2], datetime.datetime)
    assert AuditEvent.objects.filter(action="jdl.exported").count() == 2


def test_conflicts_page_lists_disagreements(
    manager: User, tmp_path: Path, people: list[Participant]
) -> None:
    assert manager.service is not None
    import_file(
        actor=manager,
        service=manager.service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, GOOD.decode()),
    )
    Order.objects.create(
        participant=people[0],
        order_type="licence",
        start_date=datetime.date(2023, 5, 1),
        actual_end_date=datetime.date(2023, 8, 1),
        termination="breach",
        source=Source.HAND,
        recorded_at=timezone.now(),
        recorded_by=manager,
    )
    offences = (
        "crn,offence_date,proven_on,proven_by,offence_category\n"
        "A000002,2023-06-10,2023-08-12,conviction,theft\n"
        "A000003,2023-06-10,2023-08-12,conviction,theft\n"
    )
    import_file(
        actor=manager,
        service=manager.service,
        kind=Kind.OFFENCES,
        path=csv_file(tmp_path, offences, name="o.csv"),
    )
    for person, proven_by in ((people[1], "caution"), (people[2], "conviction")):
        ProvenOffence.objects.create(
            participant=person,
            committed_on=datetime.date(2023, 6, 10),
            proven_on=datetime.date(2023, 8, 12),
            proven_by=proven_by,
            category="theft",
            source=Source.HAND,
            recorded_at=timezone.now(),
            recorded_by=manager,
        )
    page = client_for(manager).get("/imports/conflicts/").content.decode()
    assert "End date: 01/08/2023 by hand, 01/09/2023 in the extract" in page
    assert "Terminated: breach by hand, Completed successfully in the extract" in page
    assert "Proven by: Caution by hand, Court conviction in the extract" in page
    assert (
        page.count('<tr class="govuk-table__row">') == 3
    )  # header + 2: the agreeing one is not listed


def test_person_page_shows_outcomes_with_their_source(
    manager: User, worker_north: User, referrer: User, tmp_path: Path, people: list[Participant]
) -> None:
    assert manager.service is not None
    batch = import_file(
        actor=manager,
        service=manager.service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, GOOD.decode()),
    )
    page = client_for(manager).get(f"/participants/{people[0].pk}/").content.decode()
    assert f"Probation extract (import:{batch.pk})" in page
    assert (
        "Orders and proven offences"
        in client_for(worker_north).get(f"/participants/{people[0].pk}/").content.decode()
    )
    assert (
        "Orders and proven offences"
        not in client_for(referrer).get(f"/participants/{people[0].pk}/").content.decode()
    )


def test_cohort_rates_on_the_page(manager: User, referrer: User, tmp_path: Path) -> None:
    assert manager.service is not None
    for crn in ("B000001", "B000002", "B000003"):
        make_active(referrer, manager, crn=crn)
    service = manager.service
    import_file(
        actor=manager,
        service=service,
        kind=Kind.COHORT,
        path=csv_file(
            tmp_path,
            "crn,cohort,date_joined\nB000001,IOM,2022-01-01\n"
            "B000002,IOM,2022-01-01\nB000003,IOM,2022-01-01\nA000001,IOM,2022-01-01\n",
        ),
    )
    import_file(
        actor=manager,
        service=service,
        kind=Kind.ETE_NEED,
        path=csv_file(
            tmp_path,
            "crn,assessment_date,ete_need\nB000001,2022-01-01,no\n"
            "B000001,2022-06-01,yes\nB000002,2022-02-01,no\n",
            name="e.csv",
        ),
    )
    from pathways.imports.selectors import CohortRate, cohort_ete_rates

    # A000001 is in the cohort but never started support: not a starter.
    assert cohort_ete_rates(manager) == [CohortRate("IOM", 3, 2, 1)]
    assert b"1 of 3" in client_for(manager).get("/imports/").content
