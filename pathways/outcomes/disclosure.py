"""Disclosure control: what may leave the manager's view of a table of counts.

Pure functions on plain data (a table of non-negative ints, and which of its row and column
totals are published), so that they can be property-tested. The rules (docs/measures.md,
"Equality monitoring"):

1. **Primary suppression.** A count from 1 to the threshold (default 4; the setting
   ``PATHWAYS_DISCLOSURE_THRESHOLD``) is suppressed. Zero is not sensitive and is shown.
2. **Secondary suppression.** A published total lets a lone suppressed cell be worked back
   (total minus the other cells). So, in every row and column whose total is published,
   the number of suppressed cells must be 0 or at least 2: where it is 1, the smallest
   other non-zero cell of that line is suppressed too (a zero only when the line has no
   other non-zero cell: a zero beside a total gives nothing away by itself, but a lone
   suppressed cell beside zeros equals the total). This is repeated until nothing changes.
3. **Audit.** Two suppressed cells per line are not always enough when rows and columns
   both have totals (suppressed cells can pin each other through zeros). ``recoverable``
   finds every suppressed cell whose value is the same in *every* table of non-negative
   integers that agrees with what is published; while there is one, another cell of its
   row or column is suppressed, and when none is left there, its row total is withheld
   with the next smallest row total (two at least, so neither follows from the grand
   total).
4. **Stages.** Where the columns are stages a row passes through in order (each stage's
   count at most its earlier stage's: ``parents``), a reader knows that too. A zero that
   follows from a zero at an earlier stage of its row (nothing completed where nobody was
   referred) is never suppressed: it gives nothing away, and hiding it would protect
   nothing. And no small count may be worked out from the stages either (a count of 7
   hidden beside a published later stage of 7 is at least 7): ``pinned_by_stages`` looks,
   for each small count, for another table that agrees with everything published and keeps
   every row's stages in order, moving one unit between two rows over cells that are
   hidden in both; where there is none, a further cell of its column is suppressed (then
   one of its row, then the column's total is withheld). The search is conservative: it
   may suppress a cell that was safe, never the reverse.
5. **Rates** are shown only when the numerator is published and the denominator is
   published and at least 10.

``recoverable`` is exact, not a heuristic: the tables agreeing with what is published
differ from the real one by integer circulations on the bipartite graph of rows and
columns whose edges are the suppressed cells (the constraint matrix is a network matrix,
so totally unimodular), and every such circulation splits into cycles of the same signs.
So a suppressed cell can take another value exactly when some alternating cycle through
it (+1 on it, -1 on cells that are at least 1, and so on) exists; a path search finds it.
Lines without a published total impose no equation: their nodes are merged into one (whose
sum is the grand total, known from the other direction), which can only over-constrain,
so the check errs on the safe side.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from django.conf import settings

DEFAULT_THRESHOLD = 4
MIN_RATE_DENOMINATOR = 10

Cell = tuple[int, int]


def threshold() -> int:
    """Counts from 1 to this are suppressed (the setting, else 4)."""
    return int(getattr(settings, "PATHWAYS_DISCLOSURE_THRESHOLD", DEFAULT_THRESHOLD))


@dataclass(frozen=True)
class Controlled:
    """The outcome of disclosure control on one table."""

    suppressed: frozenset[Cell]
    primary: frozenset[Cell]
    withheld_rows: frozenset[int]
    withheld_cols: frozenset[int]

    def is_suppressed(self, row: int, col: int) -> bool:
        return (row, col) in self.suppressed


def _shape(table: Sequence[Sequence[int]]) -> tuple[int, int]:
    rows = len(table)
    cols = len(table[0]) if rows else 0
    if any(len(row) != cols for row in table):
        raise ValueError("Every row of the table must have the same number of cells")
    if any(value < 0 for row in table for value in row):
        raise ValueError("Counts cannot be negative")
    return rows, cols


def primary(table: Sequence[Sequence[int]], limit: int) -> set[Cell]:
    """Cells with a count from 1 to ``limit``."""
    return {
        (r, c) for r, row in enumerate(table) for c, value in enumerate(row) if 1 <= value <= limit
    }


def _lines(
    rows: int,
    cols: int,
    row_totals: bool,
    col_totals: bool,
    withheld: tuple[set[int], set[int]],
) -> list[list[Cell]]:
    """The rows and columns whose totals are published, as lists of cells."""
    lines: list[list[Cell]] = []
    if row_totals:
        lines += [[(r, c) for c in range(cols)] for r in range(rows) if r not in withheld[0]]
    if col_totals:
        lines += [[(r, c) for r in range(rows)] for c in range(cols) if c not in withheld[1]]
    return lines


def _withhold(withheld: set[int], line: int, totals: list[int], published: bool) -> bool:
    """Withhold the total of ``line`` and, if it is the first, the next smallest total (so
    that it does not follow from the grand total). False when there is nothing to do."""
    if not published or line in withheld:
        return False
    withheld.add(line)
    others = [i for i in range(len(totals)) if i not in withheld]
    if len(withheld) < 2 and others:
        withheld.add(min(others, key=lambda i: (totals[i], i)))
    return True


def _smallest(table: Sequence[Sequence[int]], cells: list[Cell], hidden: set[Cell]) -> Cell | None:
    """The cell to suppress next in a line: the smallest non-zero one, else a zero."""
    candidates = [cell for cell in cells if cell not in hidden]
    if not candidates:
        return None
    return min(
        candidates, key=lambda cell: (table[cell[0]][cell[1]] == 0, table[cell[0]][cell[1]], cell)
    )


def recoverable(
    table: Sequence[Sequence[int]],
    suppressed: set[Cell] | frozenset[Cell],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    withheld_rows: set[int] | frozenset[int] = frozenset(),
    withheld_cols: set[int] | frozenset[int] = frozenset(),
) -> set[Cell]:
    """The suppressed cells whose value follows from the published cells and totals (it is
    the same in every table of non-negative integers that agrees with what is published)."""
    _shape(table)
    if not (row_totals or col_totals):
        return set()

    def row_node(r: int) -> tuple[str, int]:
        return ("row", -1) if not row_totals or r in withheld_rows else ("row", r)

    def col_node(c: int) -> tuple[str, int]:
        return ("col", -1) if not col_totals or c in withheld_cols else ("col", c)

    # Each suppressed cell is an edge row -> column (it may go up by 1) and, when it is at
    # least 1, column -> row (it may go down by 1).
    edges: list[tuple[tuple[str, int], tuple[str, int], Cell]] = []
    for r, c in suppressed:
        edges.append((row_node(r), col_node(c), (r, c)))
        if table[r][c] >= 1:
            edges.append((col_node(c), row_node(r), (r, c)))

    def path(source: tuple[str, int], target: tuple[str, int], without: Cell) -> bool:
        seen = {source}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            if node == target:
                return True
            for start, end, cell in edges:
                if start == node and cell != without and end not in seen:
                    seen.add(end)
                    queue.append(end)
        return False

    pinned = set()
    for r, c in suppressed:
        if (not row_totals and c in withheld_cols) or (not col_totals and r in withheld_rows):
            continue  # no published total holds it: it can change alone
        up = path(col_node(c), row_node(r), (r, c))
        down = table[r][c] >= 1 and path(row_node(r), col_node(c), (r, c))
        if not (up or down):
            pinned.add((r, c))
    return pinned


Parents = Sequence[int | None]


def _ancestors(parents: Parents, col: int) -> list[int]:
    found: list[int] = []
    parent = parents[col]
    while parent is not None:
        found.append(parent)
        parent = parents[parent]
    return found


def structural_zeros(table: Sequence[Sequence[int]], parents: Parents) -> set[Cell]:
    """Zeros that follow from a zero at an earlier stage of the same row."""
    return {
        (r, c)
        for r, row in enumerate(table)
        for c, value in enumerate(row)
        if value == 0 and any(row[a] == 0 for a in _ancestors(parents, c))
    }


def _in_order(row: Sequence[int], parents: Parents) -> bool:
    return all(value >= 0 for value in row) and all(
        parent is None or row[c] <= row[parent] for c, parent in enumerate(parents)
    )


def _moved(row: Sequence[int], cols: Sequence[int], by: int) -> list[int]:
    moved = list(row)
    for c in cols:
        moved[c] += by
    return moved


def pinned_by_stages(
    table: Sequence[Sequence[int]],
    hidden: set[Cell] | frozenset[Cell],
    parents: Parents,
    cells: set[Cell] | frozenset[Cell],
    withheld_cols: set[int] | frozenset[int] = frozenset(),
) -> set[Cell]:
    """Those of ``cells`` (hidden) for which no other table agreeing with what is published
    and keeping every row's stages in order was found: one that adds (or takes) one to a
    set of hidden cells of the cell's row and takes (or adds) one to the same columns of
    another row where they are hidden too (column totals stay), or, where every column
    moved has its total withheld, changes the row alone."""
    pinned = set()
    for r, c in sorted(cells):
        own = [col for col in range(len(parents)) if (r, col) in hidden and col != c]
        found = False
        for size in range(len(own) + 1):
            for extra in _subsets(own, size):
                cols = [c, *extra]
                for by in (1, -1):
                    if not _in_order(_moved(table[r], cols, by), parents):
                        continue
                    if all(col in withheld_cols for col in cols):
                        found = True
                    else:
                        found = any(
                            other != r
                            and all((other, col) in hidden for col in cols)
                            and _in_order(_moved(table[other], cols, -by), parents)
                            for other in range(len(table))
                        )
                    if found:
                        break
                if found:
                    break
            if found:
                break
        if not found:
            pinned.add((r, c))
    return pinned


def _subsets(items: list[int], size: int) -> list[tuple[int, ...]]:
    return list(combinations(items, size))


def control(
    table: Sequence[Sequence[int]],
    *,
    limit: int | None = None,
    row_totals: bool = True,
    col_totals: bool = True,
    parents: Parents | None = None,
) -> Controlled:
    """Apply primary and secondary suppression to ``table`` (rules in the module doc).
    ``parents`` gives, per column, the earlier stage it cannot exceed (None for none)."""
    limit = threshold() if limit is None else limit
    rows, cols = _shape(table)
    first = primary(table, limit)
    hidden = set(first)
    withheld: tuple[set[int], set[int]] = (set(), set())
    fixed = structural_zeros(table, parents) if parents is not None else set()
    while True:
        changed = True
        while changed:
            changed = False
            for line in _lines(rows, cols, row_totals, col_totals, withheld):
                if sum(cell in hidden for cell in line) == 1:
                    extra = _smallest(table, line, hidden | fixed)
                    if extra is not None:
                        hidden.add(extra)
                        changed = True
        pinned = recoverable(
            table,
            hidden,
            row_totals=row_totals,
            col_totals=col_totals,
            withheld_rows=withheld[0],
            withheld_cols=withheld[1],
        )
        if not pinned and parents is not None:
            free = withheld[1] if col_totals else set(range(cols))
            staged = pinned_by_stages(table, hidden, parents, first, free)
            if staged:
                r, c = min(staged)
                column = [(i, c) for i in range(rows)]
                row = [(r, j) for j in range(cols)]
                extra = _smallest(table, column, hidden | fixed) or _smallest(
                    table, row, hidden | fixed
                )
                if extra is not None:
                    hidden.add(extra)
                elif c not in withheld[1]:
                    withheld[1].add(c)
                elif len(withheld[1]) < cols:
                    # Every cell near it is hidden: with no column total published, a
                    # row can move as a whole.
                    withheld[1].update(range(cols))
                else:
                    raise AssertionError("disclosure control could not protect a cell")
                continue
        if not pinned:
            break
        r, c = min(pinned)
        lines = _lines(rows, cols, row_totals, col_totals, withheld)
        options = [_smallest(table, line, hidden | fixed) for line in lines if (r, c) in line]
        extra = min(
            (cell for cell in options if cell is not None),
            key=lambda cell: (table[cell[0]][cell[1]] == 0, table[cell[0]][cell[1]], cell),
            default=None,
        )
        if extra is not None:
            hidden.add(extra)
            continue
        # Every cell of its lines is suppressed already: withhold totals instead.
        row_sums = [sum(row) for row in table]
        col_sums = [sum(table[i][j] for i in range(rows)) for j in range(cols)]
        if not (
            _withhold(withheld[0], r, row_sums, row_totals)
            or _withhold(withheld[1], c, col_sums, col_totals)
        ):
            # Counts cannot be negative, so zeros beside a small count can still pin it:
            # withhold every total, after which nothing can be worked back.
            every_row = set(range(rows)) if row_totals else set()
            every_col = set(range(cols)) if col_totals else set()
            if withheld[0] >= every_row and withheld[1] >= every_col:
                raise AssertionError("disclosure control could not protect a cell")
            withheld[0].update(every_row)
            withheld[1].update(every_col)
    return Controlled(
        suppressed=frozenset(hidden),
        primary=frozenset(first),
        withheld_rows=frozenset(withheld[0]),
        withheld_cols=frozenset(withheld[1]),
    )


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """A share, or None when it may not be shown (a suppressed figure, or fewer than 10)."""
    if numerator is None or denominator is None or denominator < MIN_RATE_DENOMINATOR:
        return None
    return numerator / denominator
