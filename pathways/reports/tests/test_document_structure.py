"""The RR Board report's documents hold their shape: in the XLSX one header row per
table, a frozen header, an Excel table per table of a section, targets in their own
columns; in the PDF each heading stays with its table."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from django.conf import settings

from pathways.accounts.models import Service, User
from pathways.reports.documents import render_xlsx
from pathways.reports.tests.test_board import _generate, activity  # noqa: F401

pytestmark = pytest.mark.django_db

FIGURES: dict[str, Any] = {
    "service": "Test service",
    "period": {"label": "May to October 2025"},
    "sections": [
        {
            "title": "Measures against targets",
            "paragraphs": ["A note."],
            "tables": [
                {
                    "caption": "Every measure",
                    "header": ["Measure", "Figure", "Intermediate target", "Long-term target"],
                    "rows": [["Starts", 5, 4, 6], ["Attrition", 1, "20%", "10%"]],
                },
                {"caption": "Nothing yet", "header": ["Group", "Count"], "rows": []},
                {"caption": "Repeated", "header": ["Kind", "Kind", ""], "rows": [["a", 1, 2]]},
            ],
        },
        {"title": "Commentary", "paragraphs": ["Text only."], "tables": []},
    ],
}


def test_each_table_is_an_excel_table_with_one_header_row_frozen() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(FIGURES)))
    sheet = book["Measures against targets"]
    tables = sorted(sheet.tables.values(), key=lambda t: int(t.ref.split(":")[0][1:]))
    assert [t.ref for t in tables] == ["A6:D8", "A11:B12", "A14:C15"]
    first = tables[0]
    # One header row, the table's, and it is frozen: the rows above it stay in view.
    assert [c.value for c in sheet[6]] == [
        "Measure",
        "Figure",
        "Intermediate target",
        "Long-term target",
    ]
    assert first.headerRowCount == 1
    assert sheet.freeze_panes == "A7"
    # Targets in their own columns, numbers as numbers.
    assert [c.value for c in sheet[7]] == ["Starts", 5, 4, 6]
    assert [c.value for c in sheet[8]][2:] == [0.2, 0.1]
    # Excel refuses a table whose header repeats or is blank.
    assert [c.value for c in sheet[14]][:3] == ["Kind", "Kind 2", "Column 3"]
    names = [t.displayName for s in book.worksheets for t in s.tables.values()]
    assert len(names) == len(set(names)) == 3
    assert book["Commentary"].tables == {}


def test_the_print_stylesheet_keeps_headings_with_their_tables() -> None:
    css = (Path(settings.BASE_DIR) / "templates" / "reports" / "board_document.html").read_text()
    assert re.search(r"h1, h2, caption \{ break-after: avoid;", css)
    assert "table.app-short-table { break-inside: avoid;" in css


def test_no_page_of_the_report_ends_with_a_heading(
    activity: None,  # noqa: F811
    manager: User,
    service: Service,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _generate(manager, service, django_capture_on_commit_callbacks)
    assert report.pdf is not None and report.xlsx is not None
    headings = {
        f"{number}. {section['title']}"
        for number, section in enumerate(report.figures["sections"], start=1)
    } | {table["caption"] for s in report.figures["sections"] for table in s["tables"]}
    pages = pypdf.PdfReader(io.BytesIO(bytes(report.pdf))).pages
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        # The last line is the page number; the one before it is the page's last text.
        content = [line for line in lines if not re.fullmatch(r"Page \d+ of \d+", line)]
        assert content[-1] not in headings, (number, content[-1])
    book = openpyxl.load_workbook(io.BytesIO(bytes(report.xlsx)))
    measures = book["Measures against targets"]
    headers = [
        next(measures.iter_rows(min_row=row, max_row=row, values_only=True))
        for row in (int(re.sub(r"\D", "", t.ref.split(":")[0])) for t in measures.tables.values())
    ]
    assert any("Intermediate target" in h and "Long-term target" in h for h in headers)
