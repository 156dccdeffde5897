"""The RR Board report as PDF (WeasyPrint, from the page's own template) and as XLSX (one
sheet per section), both from the report's kept figures.

In the spreadsheet each table of a section is an Excel table (a worksheet table with its
one header row, so it sorts and filters), and each sheet's first table's header row is
frozen (the rows above it stay in view)."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from pathways.core import pdf
from pathways.core.exports import safe_cell
from pathways.outcomes.selectors import STATUS_WORDS

MONEY = re.compile(r"^£(-?[\d,]+\.\d{2})$")
PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")
MONEY_FORMAT = '"£"#,##0.00'
PERCENT_FORMAT = "0%"


def _xlsx_cell(value: Any) -> tuple[Any, str | None]:
    """A report cell as spreadsheet data: money and rates as numbers with a number format
    (never text like "£0.00" or "78%"), a status in the page's words, other text made
    safe (``safe_cell``)."""
    if isinstance(value, str):
        money = MONEY.match(value)
        if money:
            return float(money.group(1).replace(",", "")), MONEY_FORMAT
        percent = PERCENT.match(value)
        if percent:
            return float(percent.group(1)) / 100, PERCENT_FORMAT
        if value in STATUS_WORDS:
            return STATUS_WORDS[value], None
    return safe_cell(value), None


def render_pdf(figures: dict[str, Any]) -> bytes:
    return pdf.render_pdf("reports/board_document.html", {"report": figures})


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, and unique."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def _headers(header: list[Any]) -> list[str]:
    """An Excel table's header: text, none blank, none repeated."""
    names: list[str] = []
    for position, heading in enumerate(header, start=1):
        name = str(safe_cell(heading)).strip() or f"Column {position}"
        base, n = name, 2
        while name in names:
            name = f"{base} {n}"
            n += 1
        names.append(name)
    return names


def render_xlsx(figures: dict[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    tables = 0
    for section in figures["sections"]:
        sheet = book.create_sheet(_sheet_title(section["title"], used))
        sheet.append([safe_cell(section["title"])])
        sheet["A1"].font = bold
        sheet.append([safe_cell(f"{figures['service']}: {figures['period']['label']}")])
        for note in ("edition_text", "late_text", "frozen_text"):
            if figures.get(note):
                sheet.append([safe_cell(figures[note])])
        for paragraph in section.get("paragraphs", []):
            sheet.append([safe_cell(paragraph)])
        for table in section.get("tables", []):
            sheet.append([])
            sheet.append([safe_cell(table["caption"])])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append(_headers(table["header"]))
            header_row = sheet.max_row
            for column in range(1, len(table["header"]) + 1):
                sheet.cell(row=header_row, column=column).font = bold
            if sheet.freeze_panes is None:
                sheet.freeze_panes = f"A{header_row + 1}"
            for row in table["rows"]:
                cells = [_xlsx_cell(cell) for cell in row]
                sheet.append([value for value, _format in cells])
                for column, (_value, number_format) in enumerate(cells, start=1):
                    if number_format:
                        sheet.cell(row=sheet.max_row, column=column).number_format = number_format
            if table["header"]:
                tables += 1
                last = get_column_letter(len(table["header"]))
                # An empty table still has one (blank) data row: Excel needs one.
                end = max(sheet.max_row, header_row + 1)
                excel = Table(displayName=f"Table{tables}", ref=f"A{header_row}:{last}{end}")
                excel.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
                sheet.add_table(excel)
        sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
