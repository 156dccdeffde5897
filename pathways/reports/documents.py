"""The RR Board report as PDF (WeasyPrint, from the page's own template) and as XLSX (one
sheet per section), both from the report's kept figures."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

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


def render_xlsx(figures: dict[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
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
            sheet.append([safe_cell(cell) for cell in table["header"]])
            for column in range(1, len(table["header"]) + 1):
                sheet.cell(row=sheet.max_row, column=column).font = bold
            for row in table["rows"]:
                cells = [_xlsx_cell(cell) for cell in row]
                sheet.append([value for value, _format in cells])
                for column, (_value, number_format) in enumerate(cells, start=1):
                    if number_format:
                        sheet.cell(row=sheet.max_row, column=column).number_format = number_format
        sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
