"""Hostile files: each is made at test time and is small on disk. Each is refused with a
clear message (recorded as the import's outcome, never a failure), changes nothing, and
costs little memory (the Python heap's peak measured with tracemalloc) and time.

The limits are in ``pathways/imports/limits.py`` and docs/imports.md ("Limits").
"""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pathways.accounts.models import Service, User
from pathways.core.models import AuditEvent
from pathways.imports import copying, limits, reading, services
from pathways.imports.models import (
    BatchStatus,
    CohortMembership,
    EteNeedAssessment,
    ImportBatch,
    Kind,
)
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import (
    ORDERS_HEADER,
    crafted_xlsx,
    csv_file,
    huge_cell_sheet,
    shared_sheet,
    shared_strings_bomb,
    sheet_xml,
    xlsx_file,
)
from pathways.outcomes.models import Order, ProvenOffence
from pathways.participants.models import Participant
from pathways.referrals.models import Referral

pytestmark = pytest.mark.usefixtures("people")

MB = 1 << 20
PEAK_BOUND = 50 * MB  # the Python heap's peak during any refused import
ORDER_ROW = ["A000001", "licence", "2023-05-01", "", "", ""]
HEADER = ORDERS_HEADER.split(",")


def counts() -> tuple[int, ...]:
    """Everything an import could change."""
    return (
        Participant.objects.count(),
        Referral.objects.count(),
        Order.objects.count(),
        ProvenOffence.objects.count(),
        EteNeedAssessment.objects.count(),
        CohortMembership.objects.count(),
    )


def measured(work: Callable[[], ImportBatch]) -> tuple[ImportBatch, int, float]:
    """The batch, the heap's peak in bytes and the seconds taken."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        batch = work()
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return batch, peak, time.monotonic() - start


def refused(
    service: Service,
    manager: User,
    path: Path,
    *,
    status: str = BatchStatus.TOO_LARGE,
    says: str,
    kind: str = Kind.ORDERS,
) -> ImportBatch:
    """Import the file and check: refused with ``status``, the message says ``says``,
    nothing changed, little memory, one audit event, and the page shows the message."""
    before = counts()
    batch, peak, seconds = measured(
        lambda: import_file(actor=manager, service=service, kind=kind, path=path)
    )
    assert batch.status == status, batch.report
    messages = " ".join(e["expected"] for e in batch.report["errors"])
    assert says in messages, messages
    assert counts() == before
    assert peak < PEAK_BOUND, f"peak {peak / MB:.0f} MB"
    assert seconds < 60
    assert AuditEvent.objects.filter(action=f"import.{status}", object_id=str(batch.pk)).exists()
    return batch


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """128 KB on disk, 128 MB inflated (the finding's bomb was 1.1 MB to 1.1 GB;
    bench/hostile_imports.py runs that one)."""
    path = crafted_xlsx(tmp_path, huge_cell_sheet(128 * MB))
    assert path.stat().st_size < 200_000

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    batch = refused(service, manager, path, says="compressed 1,0")
    assert (
        "The file is too large to import: xl/worksheets/sheet1.xml"
        in (batch.report["errors"][0]["expected"])
    )


def test_a_member_past_the_size_limit_is_refused(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = xlsx_file(tmp_path, [HEADER, *[[f"A{n:06d}", "licence"] for n in range(3_000)]])
    monkeypatch.setattr(limits, "MAX_MEMBER_BYTES", 64 * 1024)
    refused(service, manager, path, says="xl/worksheets/sheet1.xml inflates to")


def test_a_workbook_past_the_total_size_is_refused(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = xlsx_file(tmp_path, [HEADER, ORDER_ROW])
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 8 * 1024)
    refused(service, manager, path, says="the workbook inflates to")


def test_a_shared_strings_bomb_is_refused(tmp_path: Path, service: Service, manager: User) -> None:
    """Three million strings, 54 MB inflated, 60 KB on disk: openpyxl would hold them all."""
    path = crafted_xlsx(tmp_path, shared_sheet(), shared_strings=shared_strings_bomb(3_000_000))
    assert path.stat().st_size < 200_000
    refused(service, manager, path, says="xl/sharedStrings.xml is compressed")


def test_shared_strings_past_the_count_are_refused_however_they_compress(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 10_000)
    path = crafted_xlsx(
        tmp_path, shared_sheet(), shared_strings=shared_strings_bomb(10_001, varied=True)
    )
    refused(service, manager, path, says="more than 10,000 shared strings")


def test_shared_strings_past_their_size_are_refused(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS_BYTES", 100_000)
    path = crafted_xlsx(
        tmp_path, shared_sheet(), shared_strings=shared_strings_bomb(20_000, varied=True)
    )
    refused(service, manager, path, says="its shared strings inflate to")


def test_too_many_members_are_refused(tmp_path: Path, service: Service, manager: User) -> None:
    path = crafted_xlsx(tmp_path, sheet_xml([HEADER, ORDER_ROW]), extra_members=150)
    refused(service, manager, path, says="parts inside it; the most allowed is 100")


def test_a_dimension_claiming_a_million_rows_is_refused(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """A few bytes that say A1:F1048576: openpyxl would hand out a million empty rows."""
    path = crafted_xlsx(tmp_path, sheet_xml([HEADER, ORDER_ROW], ref="A1:F1048576"))
    refused(service, manager, path, says="a sheet says it has 1,048,575 data rows")


def test_a_dimension_claiming_every_column_is_refused(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """openpyxl would pad every row to 16,384 cells."""
    path = crafted_xlsx(tmp_path, sheet_xml([HEADER, ORDER_ROW], ref="A1:XFD2"))
    refused(service, manager, path, says="a sheet says it has 16,384 columns")


def test_rows_past_the_limit_are_refused_as_they_are_read(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet declares no more than the limit, but holds more; so does a CSV (a row
    bomb): the limit holds as the rows are read."""
    monkeypatch.setattr(limits, "MAX_ROWS", 100)
    rows = [HEADER, *[[f"A{n:06d}", "licence", "2023-05-01"] for n in range(150)]]
    path = crafted_xlsx(tmp_path, sheet_xml(rows, ref="A1:F2"))
    batch = refused(service, manager, path, says="it has more than 100 data rows")
    assert batch.report["errors"][0]["row"] == 102
    text = "\n".join(",".join(row) for row in rows)
    refused(service, manager, csv_file(tmp_path, text), says="it has more than 100 data rows")


def test_a_cell_longer_than_excel_allows_is_refused(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """In a column the kind ignores (where today it would be imported without a word)."""
    long = "x" * (limits.MAX_CELL_CHARS + 1)
    rows = [[*HEADER, "notes"], [*ORDER_ROW, long]]
    path = crafted_xlsx(tmp_path, sheet_xml(rows, ref="A1:G2"))
    says = "row 2, column G holds 32,768 characters; the most a cell may hold is 32,767"
    refused(service, manager, path, says=says)
    text = f"{ORDERS_HEADER},notes\n{','.join(ORDER_ROW)},{long}"
    refused(service, manager, csv_file(tmp_path, text), says=says)


def test_a_huge_single_cell_is_refused_before_openpyxl_reads_it(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """5 MB of text in one cell, compressed less than the ratio limit (so only the scan of
    the sheet's XML stops it before the cell is held in memory)."""

    def sheet() -> Iterator[str]:
        for piece in huge_cell_sheet(0):
            if piece.startswith('<row r="2">'):
                yield piece
                for n in range(400_000):
                    yield f"{n * 7919 % 1000003:x}"
            else:
                yield piece

    path = crafted_xlsx(tmp_path, sheet())
    refused(service, manager, path, says="holds a cell or a tag longer than 32,767 characters")


def test_a_csv_line_past_the_limit_is_refused_before_it_is_held(
    tmp_path: Path, service: Service, manager: User
) -> None:
    path = tmp_path / "extract.csv"
    with path.open("wb") as handle:
        handle.write(f"{ORDERS_HEADER}\n".encode())
        for _ in range(8):
            handle.write(b"A" * MB)  # 8 MB without a line break
    refused(service, manager, path, says="line 2 is longer than 1 MB")


@pytest.mark.parametrize(
    ("cell", "code"), [("IOM\x00", "0x00"), ("I\x0bOM", "0x0B"), ("IOM\x1b", "0x1B")]
)
def test_control_characters_in_a_csv_are_refused_with_row_and_column(
    tmp_path: Path, service: Service, manager: User, cell: str, code: str
) -> None:
    text = f"crn,cohort,date_joined\nA000001,IOM,2023-01-01\nA000002,{cell},2023-01-01"
    batch = refused(
        service,
        manager,
        csv_file(tmp_path, text),
        kind=Kind.COHORT,
        status=BatchStatus.REJECTED,
        says=f"the control character {code}",
    )
    [error] = batch.report["errors"]
    assert (error["row"], error["column"]) == (3, "cohort")
    assert "\\x" in error["value"] and "\x00" not in error["value"]


def test_nul_is_refused_everywhere_even_in_ignored_columns_and_the_header(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"{ORDERS_HEADER},Notes\n{','.join(ORDER_ROW)},a\x00b"
    batch = refused(
        service,
        manager,
        csv_file(tmp_path, text),
        status=BatchStatus.REJECTED,
        says="the control character 0x00",
    )
    assert [(e["row"], e["column"]) for e in batch.report["errors"]] == [(2, "Notes")]
    header = f"{ORDERS_HEADER},No\x00tes\n{','.join(ORDER_ROW)},"
    batch = refused(
        service,
        manager,
        csv_file(tmp_path, header, name="header.csv"),
        status=BatchStatus.REJECTED,
        says="the control character 0x00",
    )
    assert [e["row"] for e in batch.report["errors"]] == [1]


def test_a_control_character_in_a_choice_column_is_refused(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """Matching choices by their letters alone would have let it through."""
    text = f"{ORDERS_HEADER}\nA000001,lic\x0bence,2023-05-01,,,"
    batch = refused(
        service,
        manager,
        csv_file(tmp_path, text),
        status=BatchStatus.REJECTED,
        says="the control character 0x0B",
    )
    assert [(e["row"], e["column"]) for e in batch.report["errors"]] == [(2, "order_type")]


def test_tab_and_line_breaks_stay_allowed_in_free_text(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = (
        "crn,offence_date,proven_on,proven_by,offence_category,disposal\n"
        'A000001,2022-01-01,2022-03-01,conviction,theft,"Community order\r\n12 months\tunpaid"'
    )
    batch = import_file(
        actor=manager, service=service, kind=Kind.OFFENCES, path=csv_file(tmp_path, text)
    )
    assert batch.status == BatchStatus.DONE, batch.report
    assert ProvenOffence.objects.get().disposal == "Community order\r\n12 months\tunpaid"


def test_control_characters_in_an_xlsx_are_refused_with_row_and_column(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """Excel writes a control character in a cell as _x000B_ (and NUL as _x0000_)."""
    rows = [["crn", "cohort", "date_joined"], ["A000001", "I_x000B_OM", "2023-01-01"]]
    rows.append(["A000002", "IOM_x0000_", "2023-01-01"])
    path = crafted_xlsx(tmp_path, sheet_xml(rows, ref="A1:C3"))
    batch = refused(
        service,
        manager,
        path,
        kind=Kind.COHORT,
        status=BatchStatus.REJECTED,
        says="the control character 0x0B",
    )
    found = [(e["row"], e["column"], e["expected"][:31]) for e in batch.report["errors"]]
    assert found == [
        (2, "cohort", "text without control characters"),
        (3, "cohort", "text without control characters"),
    ]
    assert "0x00" in batch.report["errors"][1]["expected"]


def test_an_xlsx_with_a_raw_control_character_is_refused_clearly(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """&#11; is not allowed in XML: the sheet cannot be read past row 1."""
    rows = [["crn", "cohort", "date_joined"], ["A000001", "I&#11;OM", "2023-01-01"]]
    path = crafted_xlsx(tmp_path, sheet_xml(rows, ref="A1:C2"))
    batch = refused(
        service,
        manager,
        path,
        kind=Kind.COHORT,
        status=BatchStatus.REJECTED,
        says="The spreadsheet cannot be read after row 1",
    )
    assert batch.report["errors"][0]["row"] == 2


def test_a_malformed_zip_is_refused_clearly(
    tmp_path: Path, service: Service, manager: User
) -> None:
    path = tmp_path / "extract.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    refused(
        service,
        manager,
        path,
        status=BatchStatus.REJECTED,
        says="cannot be opened as an Excel workbook: it is damaged or is not a workbook",
    )


def test_files_that_are_not_what_their_name_says_are_refused(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"{ORDERS_HEADER}\n{','.join(ORDER_ROW)}"
    refused(
        service,
        manager,
        csv_file(tmp_path, text, name="extract.xlsx"),
        status=BatchStatus.REJECTED,
        says="The file is named .xlsx but is not an Excel workbook",
    )
    workbook = xlsx_file(tmp_path, [HEADER, ORDER_ROW], name="renamed.csv")
    refused(
        service,
        manager,
        workbook,
        status=BatchStatus.REJECTED,
        says="The file is named .csv but is a ZIP archive",
    )
    other = tmp_path / "document.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    refused(
        service,
        manager,
        other,
        status=BatchStatus.REJECTED,
        says="The file is a ZIP archive but not an Excel workbook",
    )


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_import_past_the_time_limit_stops_and_changes_nothing(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock passes the limit in the save pass, after rows were written: the
    transaction is rolled back whole and the import reported as too large."""
    clock = Clock()
    monkeypatch.setattr(reading, "clock", clock)
    monkeypatch.setattr(services, "CHUNK", 1)
    monkeypatch.setattr(copying, "MERGE_ROWS", 1)  # the COPY path's merge (PostgreSQL)
    saved: list[int] = []

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "Saving":
            saved.append(Order.objects.count())
            clock.now += limits.IMPORT_SECONDS + 1

    text = f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\nA000002,licence,2023-05-01,,,"
    before = counts()
    batch = import_file(
        actor=manager,
        service=service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, text),
        progress=progress,
    )
    assert saved == [1]  # one row was written, then the limit passed
    assert batch.status == BatchStatus.TOO_LARGE
    assert counts() == before
    [error] = batch.report["errors"]
    assert "took longer than 20 minutes, the most an import may take" in error["expected"]
    assert error["row"] == 3


def test_the_time_limit_holds_in_the_check_pass(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "IMPORT_SECONDS", 0)
    clock = Clock()
    monkeypatch.setattr(reading, "clock", clock)
    original = reading.Deadline.check

    def later(self: reading.Deadline, row: int | None = None) -> None:
        clock.now += 1
        original(self, row)

    monkeypatch.setattr(reading.Deadline, "check", later)
    text = f"{ORDERS_HEADER}\n{','.join(ORDER_ROW)}"
    refused(service, manager, csv_file(tmp_path, text), says="took longer than 0 minutes")


def test_the_workbook_is_opened_once_per_pass(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    opened: list[str] = []
    real = openpyxl.load_workbook

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened.append("open")
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    path = xlsx_file(tmp_path, [HEADER, ORDER_ROW])
    batch = import_file(actor=manager, service=service, kind=Kind.ORDERS, path=path)
    assert batch.status == BatchStatus.DONE
    # The check pass and the save pass (streaming), or the one pass that stages the rows
    # (COPY, on PostgreSQL); never to estimate the rows.
    assert len(opened) == (1 if copying.available() else 2)
    assert batch.total_rows == 1


def test_rows_past_an_understated_dimension_are_read(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """openpyxl stops at the declared last row; the sheet's rows are read as they are."""
    rows = [HEADER, ORDER_ROW, ["A000002", "licence", "2023-05-01"]]
    path = crafted_xlsx(tmp_path, sheet_xml(rows, ref="A1:C2"))
    batch = import_file(actor=manager, service=service, kind=Kind.ORDERS, path=path)
    assert batch.status == BatchStatus.DONE and batch.created == 2, batch.report


def test_a_real_workbook_is_within_every_limit(tmp_path: Path) -> None:
    """A workbook openpyxl writes passes the archive check."""
    rows = [HEADER, *[[f"A{n:06d}", "licence", "2023-05-01", "", "", ""] for n in range(5_000)]]
    path = xlsx_file(tmp_path, rows)
    assert reading.check_archive(path) == 5_000
