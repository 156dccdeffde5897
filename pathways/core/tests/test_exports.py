"""Export cells that a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from pathways.core.exports import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 7700 900000", "'+44 7700 900000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Jo Bloggs", "Jo Bloggs"),
        ("", ""),
        ("a=b", "a=b"),
        (-3, -3),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
        (datetime.date(2026, 5, 1), datetime.date(2026, 5, 1)),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_csv_text_neutralises_every_cell_header_included() -> None:
    text = csv_text(["=name", "count"], [["=cmd|' /C calc'!A0", 3], ["Ann", -1]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=name", "count"], ["'=cmd|' /C calc'!A0", "3"], ["Ann", "-1"]]


@pytest.mark.parametrize(
    "value", ["=1+1", "+44 7700", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")']
)
def test_formula_like_text_is_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Smith", "", "O'Neil", "a=b", None, 3, -3, 2.5, datetime.date(2024, 1, 1)]
)
def test_other_values_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [
        " =1+1",
        "   @SUM(A1)",
        " \t=1",
        "\n=1",
        "\u3000+44",  # an ideographic space
        '\uff1dHYPERLINK("http://x")',  # full-width equals
        "\uff0b44 7700",
        "\uff0d2+3",
        "\uff20SUM(A1)",
        " \uff1d1",
    ],
)
def test_formulas_behind_spaces_or_in_full_width_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [("Smi\x0bth", "Smi th"), (" =\x00", "' = ")])
def test_characters_a_spreadsheet_cannot_hold_become_spaces(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", [" Smith", "Smith =", "\uff21nn", "\u3000Ann"])
def test_text_with_spaces_before_no_formula_is_left_alone(value: str) -> None:
    assert safe_cell(value) == value
