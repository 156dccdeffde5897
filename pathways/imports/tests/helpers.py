"""Files for import tests: CSV text written as bytes, and XLSX built with openpyxl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ORDERS_HEADER = "crn,order_type,start_date,expected_end_date,actual_end_date,termination"


def csv_file(
    tmp_path: Path,
    text: str,
    *,
    name: str = "extract.csv",
    encoding: str = "utf-8",
    bom: bool = False,
    crlf: bool = False,
) -> Path:
    body = text.strip("\n") + "\n"
    if crlf:
        body = body.replace("\n", "\r\n")
    data = body.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx_file(tmp_path: Path, rows: list[list[Any]], *, name: str = "extract.xlsx") -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path
