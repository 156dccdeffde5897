"""Writing exports (CSV, XLSX) safely: every cell goes through ``safe_cell``.

A spreadsheet program runs a cell that begins with = + - @ as a formula: "CSV injection".
Some programs skip leading spaces, tabs and line breaks before reading one, and read the
full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) as the ASCII ones. Every CSV or XLSX
writer of Pathways passes each value through ``safe_cell``, which puts an apostrophe
before such text (and before any text starting with a tab or carriage return) so that it
is shown, not run. It also makes a space of every character a spreadsheet cannot hold
(``core.text.printable``: an XLSX writer refuses control characters, so one in a name
saved before the forms refused them would stop the whole export). Numbers, dates and
empty values pass unchanged (a negative number stays a number).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from pathways.core.text import printable

# What a formula begins with, in ASCII and full width (U+FF1D, U+FF0B, U+FF0D, U+FF20).
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")

Cell = str | int | float | Decimal | datetime.date | None


def safe_cell(value: Any) -> Cell:
    """The value, made safe to open in a spreadsheet, and able to be written to one."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    text = printable(str(value))
    if text.startswith(("\t", "\r")) or text.lstrip().startswith(FORMULA_STARTS):
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
