"""Cells for files people open in a spreadsheet (CSV, XLSX exports)."""

from __future__ import annotations

# A cell starting with one of these is read by spreadsheet programs as a formula (or, for
# tab and carriage return, can be used to hide one): CSV / formula injection (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write into an exported cell: text that a spreadsheet would take as a
    formula gets a leading apostrophe, so it shows as the text it is; every other value
    (numbers, dates, None, ordinary text) is left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
