"""The spreadsheet is data: money and rates are numbers with number formats, never text
like "£0.00" or "78%"; a status is in the page's words."""

from __future__ import annotations

import io

import openpyxl

from pathways.reports.documents import MONEY_FORMAT, PERCENT_FORMAT, render_xlsx


def test_money_rates_and_status_are_spreadsheet_data() -> None:
    figures = {
        "service": "A service",
        "period": {"start": "2025-05-01", "end": "2025-10-31", "label": "May to October 2025"},
        "sections": [
            {
                "key": "measures",
                "title": "Measures against targets",
                "paragraphs": [],
                "tables": [
                    {
                        "caption": "Every measure",
                        "header": ["Measure", "Value", "Share", "Cost", "Status"],
                        "rows": [
                            ["Attrition", 3, "78%", "£1,234.50", "behind_pro_rata"],
                            ["Starts", 0, "", "None started", "red"],
                            ["=cmd|' /C calc'!A0", 1, "12.5%", "£0.00", ""],
                        ],
                    }
                ],
            }
        ],
    }
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(figures))).worksheets[0]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    attrition = rows["Attrition"]
    assert attrition[1].value == 3
    assert (attrition[2].value, attrition[2].number_format) == (0.78, PERCENT_FORMAT)
    assert (attrition[3].value, attrition[3].number_format) == (1234.5, MONEY_FORMAT)
    assert attrition[4].value == "In progress: behind the target so far"
    assert rows["Starts"][3].value == "None started"
    assert rows["Starts"][4].value == "Below target"
    formula = next(value for value in rows if str(value).endswith("A0"))
    assert not str(formula).startswith("=")  # still made safe
    assert rows[formula][2].value == 0.125
