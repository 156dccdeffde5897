"""Disclosure control of stage tables (equality monitoring): a zero that follows from an
earlier zero is shown, and no small count can be worked out from the totals together with
the order of the stages (a later stage never exceeds an earlier one)."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pathways.outcomes.disclosure import (
    control,
    pinned_by_stages,
    structural_zeros,
)

LIMIT = 4
CHAIN = [None, 0, 1]  # referred, accepted, started: each at most the one before


def _in_order(row: list[int], parents: list[int | None]) -> bool:
    return all(p is None or row[c] <= row[p] for c, p in enumerate(parents))


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    if parts == 0:
        return [()] if total == 0 else []
    return [
        (first, *rest)
        for first in range(total + 1)
        for rest in _compositions(total - first, parts - 1)
    ]


def _values_possible(table, result, parents) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden cell takes over all tables of non-negative integers with
    the published cells and column totals and every row's stages in order (by
    enumeration, column by column: small tables only)."""
    rows, cols = len(table), len(table[0])
    bound = sum(max(row) for row in table)
    per_column = []
    for c in range(cols):
        cells = [(r, c) for r in range(rows) if (r, c) in result.suppressed]
        if c in result.withheld_cols:
            options = list(itertools.product(range(bound + 1), repeat=len(cells)))
        else:
            options = _compositions(sum(table[r][c] for r, _ in cells), len(cells))
        per_column.append([list(zip(cells, values, strict=True)) for values in options])
    seen: dict[tuple[int, int], set[int]] = {cell: set() for cell in result.suppressed}
    for choice in itertools.product(*per_column):
        trial = [list(row) for row in table]
        for assignment in choice:
            for (r, c), v in assignment:
                trial[r][c] = v
        if all(_in_order(row, parents) for row in trial):
            for assignment in choice:
                for cell, v in assignment:
                    seen[cell].add(v)
    return seen


def test_a_zero_that_follows_from_an_earlier_zero_is_not_suppressed() -> None:
    """Nobody accepted where nobody was referred: that zero is shown, never suppressed to
    partner a small count; with nothing else to partner it, the column total is withheld."""
    table = [[0, 0], [12, 2], [0, 0]]
    assert structural_zeros(table, [None, 0]) == {(0, 1), (2, 1)}
    result = control(table, limit=LIMIT, row_totals=False, col_totals=True, parents=[None, 0])
    assert (1, 1) in result.suppressed
    assert (0, 1) not in result.suppressed and (2, 1) not in result.suppressed
    assert 1 in result.withheld_cols
    # Without the stages, a zero partners it.
    plain = control(table, limit=LIMIT, row_totals=False, col_totals=True)
    assert {(0, 1), (1, 1)} <= plain.suppressed


def test_a_published_later_stage_must_not_give_a_hidden_count_away() -> None:
    """A (1 referred, 1 accepted) is hidden; B's 7 referred partners A's in the column, but
    B's 7 accepted is published, so B had at least 7: with the column total, A's 1 follows
    unless a further cell is hidden."""
    table = [[1, 1], [7, 7], [30, 5]]
    hidden = {(0, 0), (0, 1), (1, 0), (2, 1)}
    assert (0, 0) in pinned_by_stages(table, hidden, [None, 0], {(0, 0), (0, 1)})
    result = control(table, limit=LIMIT, row_totals=False, col_totals=True, parents=[None, 0])
    assert result.suppressed > hidden
    possible = _values_possible(table, result, [None, 0])
    assert all(len(possible[cell]) >= 2 for cell in result.primary)


def _stage_tables() -> st.SearchStrategy:
    def row() -> st.SearchStrategy:
        return st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)).map(
            lambda t: sorted(t, reverse=True)
        )

    return st.integers(2, 3).flatmap(lambda n: st.lists(row(), min_size=n, max_size=n))


@settings(max_examples=150, deadline=None)
@given(_stage_tables())
@example([[1, 1, 0], [6, 6, 6], [6, 5, 0]])
@example([[0, 0, 0], [6, 2, 0], [6, 6, 6]])
def test_no_small_count_follows_from_the_totals_and_the_order_of_the_stages(
    table: list[list[int]],
) -> None:
    result = control(table, limit=LIMIT, row_totals=False, col_totals=True, parents=CHAIN)
    assert not structural_zeros(table, CHAIN) & result.suppressed
    possible = _values_possible(table, result, CHAIN)
    for cell in result.primary:
        assert len(possible[cell]) >= 2, (cell, result)
