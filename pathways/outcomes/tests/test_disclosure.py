"""Disclosure control as properties: no suppressed cell can be worked back from what is
published (docs/measures.md, "Equality monitoring")."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pathways.outcomes.disclosure import Cell, control, rate, recoverable

LIMIT = 4


def tables(max_rows: int = 6, max_cols: int = 6, max_value: int = 30) -> st.SearchStrategy:
    counts = st.one_of(st.integers(0, 6), st.integers(0, max_value))
    return st.integers(2, max_rows).flatmap(
        lambda r: st.integers(2, max_cols).flatmap(
            lambda c: st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r)
        )
    )


def _published_lines(table: list[list[int]], result, row_totals: bool, col_totals: bool):
    rows, cols = len(table), len(table[0])
    if row_totals:
        for r in range(rows):
            if r not in result.withheld_rows:
                yield [(r, c) for c in range(cols)]
    if col_totals:
        for c in range(cols):
            if c not in result.withheld_cols:
                yield [(r, c) for r in range(rows)]


@settings(max_examples=300, deadline=None)
@given(tables(), st.booleans(), st.booleans())
def test_no_suppressed_cell_is_alone_in_a_line_with_a_total(
    table: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    result = control(table, limit=LIMIT, row_totals=row_totals, col_totals=col_totals)
    for line in _published_lines(table, result, row_totals, col_totals):
        assert sum(cell in result.suppressed for cell in line) != 1


@settings(max_examples=300, deadline=None)
@given(tables(), st.booleans(), st.booleans())
def test_every_small_count_is_suppressed_and_no_published_count_is_small(
    table: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    result = control(table, limit=LIMIT, row_totals=row_totals, col_totals=col_totals)
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if 1 <= value <= LIMIT:
                assert (r, c) in result.primary and (r, c) in result.suppressed
            if (r, c) not in result.suppressed:
                assert value == 0 or value > LIMIT


@settings(max_examples=300, deadline=None)
@given(tables(), st.booleans(), st.booleans())
# Found by hypothesis: zeros beside a lone small count pin it through the totals, since
# counts cannot be negative; only withholding the totals protects it.
@example([[0, 0, 0], [0, 0, 1]], True, True)
def test_no_suppressed_cell_is_recoverable_from_totals(
    table: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    """The stronger claim: every suppressed cell can take another value in some table of
    non-negative integers with the same published cells and totals."""
    result = control(table, limit=LIMIT, row_totals=row_totals, col_totals=col_totals)
    assert not recoverable(
        table,
        result.suppressed,
        row_totals=row_totals,
        col_totals=col_totals,
        withheld_rows=result.withheld_rows,
        withheld_cols=result.withheld_cols,
    )


def _values_by_brute_force(
    table: list[list[int]], hidden: list[Cell], row_totals: bool, col_totals: bool
) -> dict[Cell, set[int]]:
    """Every value each hidden cell takes over all tables agreeing with what is published
    (every total published), found by enumeration."""
    rows, cols = len(table), len(table[0])
    row_sums = [sum(row) for row in table]
    col_sums = [sum(table[r][c] for r in range(rows)) for c in range(cols)]
    grand = sum(row_sums)
    seen: dict[Cell, set[int]] = {cell: set() for cell in hidden}
    for values in itertools.product(range(grand + 1), repeat=len(hidden)):
        trial = [list(row) for row in table]
        for (r, c), value in zip(hidden, values, strict=True):
            trial[r][c] = value
        if sum(map(sum, trial)) != grand:
            continue
        if row_totals and [sum(row) for row in trial] != row_sums:
            continue
        if col_totals and [sum(trial[r][c] for r in range(rows)) for c in range(cols)] != col_sums:
            continue
        for cell, value in zip(hidden, values, strict=True):
            seen[cell].add(value)
    return seen


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=2, max_size=2),
    st.sets(st.tuples(st.integers(0, 1), st.integers(0, 2)), max_size=4),
    st.booleans(),
)
def test_recoverable_agrees_with_enumeration(
    table: list[list[int]], hidden: set[Cell], row_totals: bool
) -> None:
    """The cycle test against brute force on small tables (column totals and the grand
    total published, row totals too or not)."""
    cells = sorted(hidden)
    values = _values_by_brute_force(table, cells, row_totals, True)
    pinned = {cell for cell, seen in values.items() if len(seen) == 1}
    assert recoverable(table, set(cells), row_totals=row_totals, col_totals=True) == pinned


def test_a_lone_small_count_takes_the_next_smallest_of_its_row_and_column() -> None:
    table = [[3, 10, 20], [12, 15, 30], [40, 50, 60]]
    result = control(table, limit=LIMIT)
    assert result.primary == {(0, 0)}
    # Row 0 gives up its 10, column 0 its 12; then row 1 and column 1 need a second cell.
    assert result.suppressed == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_a_zero_beside_a_total_is_suppressed_only_when_nothing_else_is_left() -> None:
    result = control([[2, 0], [0, 0]], limit=LIMIT, row_totals=True, col_totals=False)
    assert result.suppressed == {(0, 0), (0, 1)}


def test_column_totals_only() -> None:
    table = [[20, 3], [30, 11], [25, 0]]
    result = control(table, limit=LIMIT, row_totals=False, col_totals=True)
    assert result.suppressed == {(0, 1), (1, 1)}


def test_when_the_totals_themselves_give_a_cell_away_they_are_withheld() -> None:
    # The grand total is 1: the row and column totals place that one person exactly.
    result = control([[1, 0], [0, 0]], limit=LIMIT)
    assert result.withheld_rows
    assert not recoverable(
        [[1, 0], [0, 0]],
        result.suppressed,
        withheld_rows=result.withheld_rows,
        withheld_cols=result.withheld_cols,
    )


def test_rates_need_a_published_numerator_and_ten_in_the_denominator() -> None:
    assert rate(5, 10) == 0.5
    assert rate(5, 9) is None
    assert rate(None, 20) is None
    assert rate(3, None) is None
