"""Reading extract files as a stream of rows: CSV (UTF-8, with or without a byte order mark,
CRLF or LF line endings) and XLSX (openpyxl in read-only mode). Nothing holds the whole file.

Every cell comes out as text. A spreadsheet formula is read as its text (``=SUM(A1:A3)``),
never evaluated: openpyxl is asked for formulas, not cached values. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first data row is row 2.

A file is held to the limits in ``limits.py`` (docs/imports.md, "Limits"): an XLSX archive
is checked (``check_file``) before openpyxl ever opens it, and rows, cells and time are
checked as the rows are read. A file past a limit raises ``TooLarge``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pathways.imports import limits

XLSX_MAGIC = b"PK\x03\x04"
BOM = codecs.BOM_UTF8
SAVE_AGAIN = "Save it from Excel as 'Excel Workbook (.xlsx)' or as 'CSV UTF-8' and try again."


class FileUnreadable(Exception):
    """The file as a whole cannot be read (encoding, format). ``row`` is where, if known."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


class TooLarge(FileUnreadable):
    """The file is past one of the limits in ``limits.py`` (or took too long)."""


def too_large(what: str, *, row: int | None = None) -> TooLarge:
    return TooLarge(
        f"The file is too large to import: {what}. Split the extract into smaller files "
        "and import each one.",
        row=row,
    )


# The clock deadlines read (tests move it).
clock = time.monotonic


class Deadline:
    """The time an import may take (``limits.IMPORT_SECONDS``), checked between rows (and
    on the COPY path also held by PostgreSQL within each statement: copying.py)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = limits.IMPORT_SECONDS if seconds is None else seconds
        self.ends = clock() + self.seconds

    def left(self) -> float:
        """Seconds before the deadline (negative once it has passed)."""
        return self.ends - clock()

    def passed(self, row: int | None = None) -> TooLarge:
        """The refusal of an import that ran past the deadline."""
        minutes = self.seconds / 60
        return TooLarge(
            f"The file is too large to import: it took longer than {minutes:g} minutes, "
            "the most an import may take. Split the extract into smaller files and "
            "import each one.",
            row=row,
        )

    def check(self, row: int | None = None) -> None:
        if clock() > self.ends:
            raise self.passed(row)


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


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref\s*=\s*["\']([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?')
SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s>/]")
WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
SHARED_STRINGS_ROOT = re.compile(rb"<(?:\w+:)?sst[\s>]")


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as handle:
        return handle.read(limits.DIMENSION_PEEK_BYTES)


def _declared_size(
    archive: zipfile.ZipFile, name: str, head: bytes | None = None
) -> tuple[int, int] | None:
    """(last row, last column) the sheet's ``<dimension ref>`` declares, read from its
    first bytes; None when it declares none before its data."""
    if head is None:
        head = _head(archive, name)
    data = SHEET_DATA.search(head)
    match = DIMENSION.search(head, 0, data.start() if data else len(head))
    if match is None:
        return None
    last_col, last_row = (match[3], match[4]) if match[3] else (match[1], match[2])
    return int(last_row), _column_number(last_col.decode())


def _worksheets(archive: zipfile.ZipFile) -> list[str]:
    def order(name: str) -> tuple[int, str]:
        digits = re.findall(r"\d+", name)
        return (int(digits[-1]) if digits else 0, name)

    return sorted((n for n in archive.namelist() if WORKSHEET.match(n)), key=order)


def _scan(handle: IO[bytes], name: str, deadline: Deadline | None, *, count: bytes = b"") -> int:
    """Inflate one member in blocks, refusing a stretch without a tag longer than any cell
    could be; return how many times ``<count`` opens a tag (the shared strings)."""
    found = 0
    tags = (b"<" + count + b">", b"<" + count + b" ", b":" + count + b">", b":" + count + b" ")
    carried = b""
    limit = limits.MAX_XML_TEXT_BYTES
    while True:
        block = handle.read(1 << 20)
        if deadline is not None:
            deadline.check()
        data = carried + block
        cut = data.rfind(b"<") if block else len(data)
        if cut <= 0:
            if len(data) > limit:
                raise _long_text(name)
            carried = data
            if not block:
                break
            continue
        part, carried = data[:cut], data[cut:]
        position = 0
        while position + limit < len(part):
            tag = part.rfind(b"<", position, position + limit + 1)
            if tag == -1:
                raise _long_text(name)
            position = tag + 1
        if count:
            found += sum(part.count(tag) for tag in tags)
        if not block:
            break
    return found


def _size(size: int) -> str:
    return f"{size / limits.MB:,.0f} MB" if size >= limits.MB else f"{size / 1024:,.0f} KB"


def _long_text(name: str) -> TooLarge:
    return too_large(
        f"{name} holds a cell or a tag longer than {limits.MAX_CELL_CHARS:,} characters, "
        "the most a cell may hold"
    )


def check_archive(path: Path, deadline: Deadline | None = None) -> int | None:
    """Check an XLSX archive against the limits before openpyxl opens it: how many members,
    each one's and the total inflated size, each one's compression ratio, the shared
    strings' size and number, each sheet's declared dimension, and that no cell's text is
    longer than a cell may be. Raises ``TooLarge`` or ``FileUnreadable``; returns the data
    rows the first sheet declares (None when it declares none)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limits.MAX_MEMBERS:
                raise too_large(
                    f"the workbook has {len(members):,} parts inside it; the most allowed is "
                    f"{limits.MAX_MEMBERS:,}"
                )
            if "xl/workbook.xml" not in archive.namelist():
                raise FileUnreadable(
                    f"The file is a ZIP archive but not an Excel workbook. {SAVE_AGAIN}"
                )
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > limits.RATIO_FROM_BYTES and ratio > limits.MAX_RATIO:
                    raise too_large(
                        f"{member.filename} is compressed {ratio:,.0f} times; a real "
                        f"spreadsheet is compressed at most {limits.MAX_RATIO} times"
                    )
                if member.file_size > limits.MAX_MEMBER_BYTES:
                    raise too_large(
                        f"{member.filename} inflates to {_size(member.file_size)}; "
                        f"the most allowed is {_size(limits.MAX_MEMBER_BYTES)}"
                    )
            if total > limits.MAX_TOTAL_BYTES:
                raise too_large(
                    f"the workbook inflates to {_size(total)}; the most allowed "
                    f"is {_size(limits.MAX_TOTAL_BYTES)}"
                )
            # Every part is inflated once, in blocks, whatever its name: openpyxl finds the
            # sheets and the shared strings through the workbook's relationships, so a part
            # may be anywhere in the archive.
            first_sheet = next(iter(_worksheets(archive)), None)
            first_rows: int | None = None
            strings = 0
            for member in members:
                name = member.filename
                head = _head(archive, name)
                # A table of shared strings, whatever its name, has the root element <sst>.
                table = SHARED_STRINGS_ROOT.search(head) is not None
                if table and member.file_size > limits.MAX_SHARED_STRINGS_BYTES:
                    raise too_large(
                        f"its shared strings inflate to {_size(member.file_size)}; the most "
                        f"allowed is {_size(limits.MAX_SHARED_STRINGS_BYTES)}"
                    )
                declared = _declared_size(archive, name, head)
                if declared is not None:
                    rows, columns = declared
                    if rows > limits.MAX_ROWS + 1:
                        raise too_large(
                            f"a sheet says it has {rows - 1:,} data rows; the most allowed is "
                            f"{limits.MAX_ROWS:,}"
                        )
                    if columns > limits.MAX_COLUMNS:
                        raise too_large(
                            f"a sheet says it has {columns:,} columns; the most allowed is "
                            f"{limits.MAX_COLUMNS:,}"
                        )
                    if name == first_sheet:
                        first_rows = max(rows - 1, 0)
                with archive.open(member) as handle:
                    strings += _scan(handle, name, deadline, count=b"si" if table else b"")
                if strings > limits.MAX_SHARED_STRINGS:
                    raise too_large(
                        f"it has more than {limits.MAX_SHARED_STRINGS:,} shared strings, the "
                        "most allowed"
                    )
            return first_rows
    except FileUnreadable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, EOFError):
        raise FileUnreadable(
            f"The file cannot be opened as an Excel workbook: it is damaged or is not a "
            f"workbook. {SAVE_AGAIN}"
        ) from None


def check_file(path: Path, deadline: Deadline | None = None) -> None:
    """Before any row is read: the file is what its name says (a .xlsx is a workbook, a
    .csv is not one), and a workbook's archive is within the limits."""
    suffix = path.suffix.lower()
    xlsx = is_xlsx(path)
    if suffix == ".xlsx" and not xlsx:
        raise FileUnreadable(f"The file is named .xlsx but is not an Excel workbook. {SAVE_AGAIN}")
    if suffix == ".csv" and xlsx:
        raise FileUnreadable(
            "The file is named .csv but is a ZIP archive (an Excel workbook renamed?). "
            f"{SAVE_AGAIN}"
        )
    if xlsx:
        check_archive(path, deadline)


def estimate_rows(path: Path) -> int:
    """Data rows in the file, cheaply: line breaks for CSV (an upper bound when a quoted
    cell holds a line break), the first sheet's declared dimension for XLSX (the workbook
    is not opened: only the start of the sheet is read)."""
    if is_xlsx(path):
        try:
            with zipfile.ZipFile(path) as archive:
                sheets = _worksheets(archive)
                declared = _declared_size(archive, sheets[0]) if sheets else None
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
            return 0  # reported when the file is checked
        return max(declared[0] - 1, 0) if declared else 0
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


# Excel writes a control character in a cell as _x000B_ (ECMA-376, ST_Xstring): read it as
# the character it stands for, so that it is refused like one.
EXCEL_CONTROL = re.compile(r"_x00([01][0-9A-Fa-f])_")


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
    text = str(value)
    if "_x00" in text:
        text = EXCEL_CONTROL.sub(lambda match: chr(int(match[1], 16)), text)
    return text.strip()


@dataclass(frozen=True)
class Row:
    number: int
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(self.cells)


def _checked(number: int, cells: list[str]) -> Row:
    """The row, once within the limits of rows, columns and cell length."""
    if number > limits.MAX_ROWS + 1:
        raise too_large(f"it has more than {limits.MAX_ROWS:,} data rows", row=number)
    if len(cells) > limits.MAX_COLUMNS and any(cells[limits.MAX_COLUMNS :]):
        raise too_large(f"row {number} has more than {limits.MAX_COLUMNS:,} columns", row=number)
    for index, cell in enumerate(cells):
        if len(cell) > limits.MAX_CELL_CHARS:
            raise too_large(
                f"row {number}, column {_column_letters(index + 1)} holds {len(cell):,} "
                f"characters; the most a cell may hold is {limits.MAX_CELL_CHARS:,}",
                row=number,
            )
    return Row(number, cells)


def _csv_lines(path: Path) -> Iterator[str]:
    """The file's lines decoded as UTF-8 (a leading byte order mark dropped). An undecodable
    byte stops the read with the line it is on; so does a line too long to hold."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(limits.MAX_CSV_LINE_BYTES + 1):
            number += 1
            if len(raw) > limits.MAX_CSV_LINE_BYTES:
                raise too_large(
                    f"line {number} is longer than {limits.MAX_CSV_LINE_BYTES // limits.MB} MB",
                    row=number,
                )
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
            yield _checked(number, [cell.strip() for cell in cells])
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
    """The first sheet's rows, the workbook opened once. The sheet's declared dimension is
    set aside: openpyxl would pad every row to its width and drop rows past its last row;
    each row is read as it is in the file instead."""
    workbook = _open_workbook(path)
    number = 0
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        values = iter(sheet.iter_rows(values_only=True))
        while True:
            try:
                row = next(values)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - a damaged sheet fails in many ways
                raise FileUnreadable(
                    f"The spreadsheet cannot be read after row {number}: {error}. {SAVE_AGAIN}",
                    row=number + 1,
                ) from None
            number += 1
            yield _checked(number, [_cell_text(value) for value in row])
    finally:
        workbook.close()


def rows_of(path: Path) -> Iterator[Row]:
    """Every row of the file, header first, as text cells."""
    if is_xlsx(path):
        return _xlsx_rows(path)
    return _csv_rows(path)
