"""Reading extract files as a stream of rows: CSV (UTF-8, with or without a byte order mark,
CRLF or LF line endings) and XLSX (openpyxl in read-only mode). Nothing holds the whole file.

Every cell comes out as text. A spreadsheet formula is read as its text (``=SUM(A1:A3)``),
never evaluated: openpyxl is asked for formulas, not cached values. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"
BOM = codecs.BOM_UTF8


class FileUnreadable(Exception):
    """The file as a whole cannot be read (encoding, format). ``row`` is where, if known."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


def checksum_of(path: Path) -> str:
    """SHA-256 of the file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == XLSX_MAGIC


def estimate_rows(path: Path) -> int:
    """Data rows in the file, cheaply: line breaks for CSV (an upper bound when a quoted
    cell holds a line break), the sheet's stated dimension for XLSX."""
    if is_xlsx(path):
        try:
            workbook = _open_workbook(path)
        except FileUnreadable:
            return 0  # reported when the rows are read
        try:
            sheet = workbook.worksheets[0]
            return max(int(sheet.max_row or 1) - 1, 0)
        finally:
            workbook.close()
    lines = 0
    last = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


def normalise_header(value: str) -> str:
    """Header names match whatever their case, spacing and punctuation: ``Start Date``,
    ``start_date`` and `` START-DATE `` are all ``start_date``."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Row:
    number: int
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(self.cells)


def _csv_lines(path: Path) -> Iterator[str]:
    """The file's lines decoded as UTF-8 (a leading byte order mark dropped). An undecodable
    byte stops the read with the line it is on."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            try:
                yield decoder.decode(raw)
            except UnicodeDecodeError as error:
                bad = raw[error.start : error.start + 1]
                raise FileUnreadable(
                    f"The file is not UTF-8 text: line {number} has the byte 0x{bad.hex()} "
                    "at position "
                    f"{error.start + 1}. Save the file as 'CSV UTF-8' and try again.",
                    row=number,
                ) from None


def _csv_rows(path: Path) -> Iterator[Row]:
    reader = csv.reader(_csv_lines(path))
    try:
        for number, cells in enumerate(reader, start=1):
            yield Row(number, [cell.strip() for cell in cells])
    except csv.Error as error:
        raise FileUnreadable(
            f"The CSV file is malformed near line {reader.line_num}: {error}.",
            row=reader.line_num,
        ) from None


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise FileUnreadable(f"The spreadsheet cannot be opened: {error}.") from None


def _xlsx_rows(path: Path) -> Iterator[Row]:
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Row(number, [_cell_text(value) for value in values])
    finally:
        workbook.close()


def rows_of(path: Path) -> Iterator[Row]:
    """Every row of the file, header first, as text cells."""
    if is_xlsx(path):
        return _xlsx_rows(path)
    return _csv_rows(path)
