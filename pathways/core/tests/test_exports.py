from __future__ import annotations

import datetime

import pytest

from pathways.core.exports import safe_cell


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
