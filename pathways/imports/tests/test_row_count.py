"""An import counts data rows, not lines: a 3-row file reports 3 rows, whatever its line
breaks, trailing blank lines, format, or rows with errors or unknown CRNs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathways.accounts.models import User
from pathways.imports.models import BatchStatus
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import ORDERS_HEADER, csv_file, xlsx_file
from pathways.participants.models import Participant

pytestmark = pytest.mark.django_db

ROWS = [
    "A000001,licence,2023-05-01,,2023-09-01,completed",
    "A000002,licence,2023-05-01,,,",
    "A000003,licence,2023-05-01,,,",
]


def _csv(tmp_path: Path, rows: list[str], header: str = ORDERS_HEADER) -> Path:
    return csv_file(tmp_path, header + "\n" + "\n".join(rows))


@pytest.mark.parametrize(
    ("shape", "status"),
    [
        ("plain", BatchStatus.DONE),
        ("crlf", BatchStatus.DONE),
        ("trailing blank lines", BatchStatus.DONE),
        ("a cell with line breaks", BatchStatus.DONE),
        ("xlsx", BatchStatus.DONE),
        ("the last CRN unknown", BatchStatus.DONE),
        ("the last row with an error", BatchStatus.REJECTED),
        ("the last two rows with errors", BatchStatus.REJECTED),
    ],
)
def test_a_three_row_file_reports_three_rows(
    tmp_path: Path, manager: User, people: list[Participant], shape: str, status: str
) -> None:
    rows = list(ROWS)
    if shape == "crlf":
        path = csv_file(tmp_path, ORDERS_HEADER + "\n" + "\n".join(rows), crlf=True)
    elif shape == "trailing blank lines":
        path = _csv(tmp_path, rows)
        path.write_bytes(path.read_bytes() + b"\n\n,,,,,\n\n")
    elif shape == "a cell with line breaks":
        noted = [row + ',"one\ntwo\nthree"' for row in rows]
        path = _csv(tmp_path, noted, header=ORDERS_HEADER + ",note")
    elif shape == "xlsx":
        path = xlsx_file(tmp_path, [ORDERS_HEADER.split(","), *(r.split(",") for r in rows)])
    else:
        if shape == "the last CRN unknown":
            rows[2] = "Z999999,licence,2023-05-01,,,"
        if shape.startswith("the last row") or shape.startswith("the last two"):
            rows[2] = "A000003,licence,not a date,,,"
        if shape == "the last two rows with errors":
            rows[1] = "A000002,licence,not a date,,,"
        path = _csv(tmp_path, rows)
    assert manager.service is not None
    batch = import_file(actor=manager, service=manager.service, kind="orders", path=path)
    assert batch.status == status
    assert batch.total_rows == 3
