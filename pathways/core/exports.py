"""Writing exports (CSV, XLSX) safely: every cell goes through ``safe_cell``.

A spreadsheet program runs a cell that begins with = + - @ (or a tab or carriage return,
which some programs skip before reading a formula) as a formula: "CSV injection". Every
CSV or XLSX writer of Pathways passes each value through ``safe_cell``, which puts an
apostrophe before such text so that it is shown, not run. Numbers, dates and empty
values pass unchanged (a negative number stays a number).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | datetime.date | None


def safe_cell(value: Any) -> Cell:
    """The value, made safe to open in a spreadsheet."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Cell]:
    return [safe_cell(value) for value in values]


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A CSV download; the file name must hold no personal data (it can reach logs)."""
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
