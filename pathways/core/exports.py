"""Helpers for every file Pathways writes out (CSV, XLSX)."""

from __future__ import annotations

# A spreadsheet treats a cell starting with these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value, with text that a spreadsheet would run as a formula made inert by a
    leading apostrophe. Numbers, dates and other values are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
