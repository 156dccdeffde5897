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


# Hostile files, made at test time and small on disk. Each XLSX starts from a real workbook
# written by openpyxl and replaces its sheet (or shared strings) with XML written to the
# archive in pieces, so neither the test nor the bench ever holds the inflated content.

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{ref}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
ORDERS_HEADER_XML = "".join(
    f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
    for letter, name in zip("ABCDEF", ORDERS_HEADER.split(","), strict=True)
)


def _inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + index)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for index, value in enumerate(values)
        if value
    )
    return f'<row r="{number}">{cells}</row>'


def crafted_xlsx(
    tmp_path: Path,
    sheet: Any,
    *,
    name: str = "extract.xlsx",
    shared_strings: Any = None,
    extra_members: int = 0,
) -> Path:
    """An XLSX whose first sheet's XML is ``sheet`` (a str, or an iterable of str pieces
    streamed into the archive) and, if given, whose shared strings are ``shared_strings``.
    ``extra_members`` adds that many tiny members (a real workbook has about ten)."""
    import zipfile

    base = xlsx_file(tmp_path, [["x"]], name=f"base-{name}")
    path = tmp_path / name
    replaced = {"xl/worksheets/sheet1.xml"}
    if shared_strings is not None:
        replaced.add("xl/sharedStrings.xml")
    with (
        zipfile.ZipFile(base) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename in replaced:
                continue
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and shared_strings is not None:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            if info.filename == "xl/_rels/workbook.xml.rels" and shared_strings is not None:
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info.filename, data)
        for member, content in (
            ("xl/worksheets/sheet1.xml", sheet),
            *([("xl/sharedStrings.xml", shared_strings)] if shared_strings is not None else []),
        ):
            pieces = [content] if isinstance(content, str) else content
            with target.open(member, "w", force_zip64=True) as handle:
                for piece in pieces:
                    handle.write(piece.encode("utf-8"))
        for number in range(extra_members):
            target.writestr(f"customXml/item{number}.xml", "<a/>")
    base.unlink()
    return path


def sheet_xml(rows: list[list[str]], *, ref: str | None = None) -> str:
    """A sheet of inline-string rows, the first being the header."""
    ref = ref or f"A1:F{len(rows)}"
    body = "".join(_inline_row(number, row) for number, row in enumerate(rows, start=1))
    return SHEET_HEAD.format(ref=ref) + body + SHEET_TAIL


def huge_cell_sheet(size: int, *, ref: str = "A1:F2") -> Any:
    """The orders header, then one row whose first cell holds ``size`` characters: a
    zip bomb (a megabyte on disk per gigabyte inflated)."""
    yield SHEET_HEAD.format(ref=ref) + f'<row r="1">{ORDERS_HEADER_XML}</row>'
    yield '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    block = "A" * (1 << 20)
    for _ in range(size >> 20):
        yield block
    yield "A" * (size & ((1 << 20) - 1))
    yield "</t></is></c></row>" + SHEET_TAIL


def many_rows_sheet(rows: int, *, ref: str | None = None) -> Any:
    """The orders header and ``rows`` rows of one order (for a CRN nobody has)."""
    yield SHEET_HEAD.format(ref=ref or f"A1:F{rows + 1}") + f'<row r="1">{ORDERS_HEADER_XML}</row>'
    for number in range(2, rows + 2):
        yield _inline_row(number, ["Z999999", "licence", "2023-01-01", "", "", ""])
    yield SHEET_TAIL


def shared_strings_bomb(count: int, *, varied: bool = False) -> Any:
    """A shared strings table of ``count`` strings: all ``ab`` (compressed a thousand times),
    or, ``varied``, each a different number (compressed about as much as real text)."""
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}">'
    )
    if varied:
        for start in range(0, count, 10_000):
            yield "".join(
                f"<si><t>{n * 7919 % 1000003:x}{n}</t></si>"
                for n in range(start, min(start + 10_000, count))
            )
    else:
        piece = "<si><t>ab</t></si>" * 10_000
        for _ in range(count // 10_000):
            yield piece
        yield "<si><t>ab</t></si>" * (count % 10_000)
    yield "</sst>"


def shared_sheet() -> str:
    """The orders header as shared strings 0..5 (for a workbook given its own table)."""
    cells = "".join(
        f'<c r="{letter}1" t="s"><v>{index}</v></c>' for index, letter in enumerate("ABCDEF")
    )
    return SHEET_HEAD.format(ref="A1:F1") + f'<row r="1">{cells}</row>' + SHEET_TAIL
