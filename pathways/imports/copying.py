"""The PostgreSQL path of an import: the file goes into the database through ``COPY`` and is
checked and merged there, set-based, with the same results as the streaming path in
``services`` (the one SQLite uses), which stays the reference.

1. **Stage.** A session-scoped ``TEMP`` table (``import_rows``) takes the file's rows. A CSV
   whose bytes both parsers read alike (valid UTF-8, no NUL, no line longer than a cell may
   be, quotes only around whole cells, no blank line between rows, as many cells on every
   row as in the header) is sent to ``COPY ... (FORMAT csv)`` as it is, a megabyte at a
   time, without Python touching a row; anything else (an XLSX, a CSV that fails one of
   those tests, or one ``COPY`` refuses) is read by ``reading.rows_of`` (the streaming
   path's reader, with every limit of ``limits.py``) and its rows are sent to ``COPY`` one
   by one. Either way the header is read and checked by Python first, as in the streaming
   path.
2. **Check.** The distinct values of the columns each of whose cells is read alone (dates,
   choices, yes/no, numbers, the sentence columns) are read once each by the kind's own
   Python reader (``kinds.Cells``, ``_read_value``): a few thousand values for a million
   rows. One statement then joins every row to them, reads the CRN and free text in SQL,
   applies the rules between columns, and marks the row good when SQL can vouch for all
   of it. The rows it does not vouch for (a few, in a good extract: a sentence, a CRN
   with a space) are read back and checked by the kind's own Python parser: their errors
   (the same messages, by construction) go to ``import_errors``, and those that pass
   after all join the good ones. Blank rows between data rows, duplicates (grouped by
   natural key) and unknown CRNs are queries. The report is then read in the streaming
   path's order: by row, each row's errors in the order its parser found them,
   duplicates last.
3. **Merge** (only when there is no error): in the import's one transaction, each good row
   of a person of the service is matched on its natural key to the record an earlier
   import made (``import_match``), then created or updated with ``INSERT ... SELECT`` and
   ``UPDATE ... FROM``, ``MERGE_ROWS`` rows at a time so that progress moves and the time
   limit holds. A dry run counts from ``import_match`` and writes nothing.

The temporary tables live in the import's database session and are dropped when it ends.

The time limit (``reading.Deadline``) is checked between blocks, statements and merge
chunks, and PostgreSQL holds it within each statement: every statement runs with
``statement_timeout`` set (``SET LOCAL``, in the statement's own transaction, or in the
import's transaction in the merge) to the time left, so a statement that would run past the
deadline is cancelled by the server, and the import ends as "too large", changing nothing,
as it does when the deadline passes between statements.

Statements are built from names fixed here and in the models (tables, columns, kinds' field
names), never from the file: every value of the file or the batch is a parameter (hence
the ``noqa: S608`` on them).
"""

from __future__ import annotations

import codecs
import datetime
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from psycopg.errors import QueryCanceled

from pathways.convictions.services import convictions_merge_imported
from pathways.imports import limits
from pathways.imports.kinds import (
    OFFENCE_GROUPS,
    ORDER_TYPES,
    PROVEN_BY,
    TERMINATIONS,
    Cells,
    KindSpec,
    RowError,
)
from pathways.imports.models import CohortMembership, EteNeedAssessment, ImportBatch, Kind
from pathways.imports.reading import BOM, Deadline, Row, is_xlsx
from pathways.outcomes.models import Order, ProvenBy, ProvenOffence, Source
from pathways.participants.models import Participant
from pathways.referrals.models import Referral

Progress = Callable[[str, int, int], None]

# The import session's memory for a sort or hash (PostgreSQL's default is 4 MB).
WORK_MEM = "64MB"
# Rows merged per statement in the save pass (progress and the time limit move between).
MERGE_ROWS = 50_000
# Rows checked by Python per round trip, and rows sent to COPY between progress reports.
BATCH = 2_000
KEPT = 1_000  # as services.KEPT: errors and unknown CRNs kept in the report
BLOCK = 1 << 20
# A statement cancelled this close to the deadline (seconds) was cancelled by the
# statement_timeout set from it; one cancelled earlier was cancelled by someone else.
TIMEOUT_SLACK = 1.0

# What Python's str.strip() strips (str.isspace): the reader strips every cell so.
WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
PRINTABLE = "^[ -~]+$"  # printable ASCII: the plain form of a cohort's name
TEXT_CONTROL_SQL = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"  # kinds.TEXT_CONTROL (NUL never reaches SQL)

# A CSV line read alike by Python's csv module and PostgreSQL's COPY: each cell bare
# (no quote, comma or line break) or wholly quoted with its quotes doubled.
_CELL = rb'(?:[^",\r\n]*|"(?:[^"]|"")*")'
PLAIN_LINE = re.compile(rb"(?:" + _CELL + rb"(?:," + _CELL + rb")*)\r?")
LONE_CR = re.compile(rb"\r(?!\n)")
END_OF_DATA = re.compile(rb"(?m)^\\\.\r?$")


class NotPlain(Exception):
    """The CSV is not one COPY reads exactly as Python's csv module does: read it by rows."""


# Each kind's columns as the SQL check sees them: (column, how it is read, the field it
# fills, options). The forms are those of kinds.Cells; the rules between columns follow.
Column = tuple[str, str, str, dict[str, Any]]
COLUMNS: dict[str, list[Column]] = {
    Kind.ORDERS: [
        ("crn", "crn", "crn", {}),
        ("order_type", "choice", "order_type", {"table": ORDER_TYPES, "required": True}),
        ("start_date", "date", "start_date", {"required": True, "past": True}),
        ("expected_end_date", "date", "expected_end_date", {"required": False, "past": False}),
        ("actual_end_date", "date", "actual_end_date", {"required": False, "past": True}),
        ("termination", "choice", "termination", {"table": TERMINATIONS, "required": False}),
    ],
    Kind.OFFENCES: [
        ("crn", "crn", "crn", {}),
        ("offence_date", "date", "committed_on", {"required": True, "past": True}),
        ("proven_on", "date", "proven_on", {"required": True, "past": True}),
        ("proven_by", "choice", "proven_by", {"table": PROVEN_BY, "required": True}),
        ("offence_category", "choice", "category", {"table": OFFENCE_GROUPS, "required": True}),
        ("disposal", "text", "disposal", {"max_length": 200}),
        # A sentence is read by Python (kinds._sentence): SQL vouches only for none.
        ("sentence_type", "empty", "", {}),
        ("sentence_length", "empty", "", {}),
        ("sentence_end_date", "empty", "", {}),
        ("schedule_18", "empty", "", {}),
        ("endorsement", "empty", "", {}),
    ],
    Kind.ETE_NEED: [
        ("crn", "crn", "crn", {}),
        ("assessment_date", "date", "assessed_on", {"required": True, "past": True}),
        ("ete_need", "yes_no", "ete_need", {}),
        ("score", "whole", "score", {"high": 99}),
    ],
    Kind.COHORT: [
        ("crn", "crn", "crn", {}),
        ("cohort", "cohort", "cohort", {"max_length": 80}),
        ("date_joined", "date", "joined_on", {"required": True, "past": True}),
    ],
}
RULES: dict[str, str] = {
    Kind.ORDERS: (
        "(v_expected_end_date IS NULL OR v_expected_end_date >= v_start_date)"
        " AND (v_actual_end_date IS NULL OR v_actual_end_date >= v_start_date)"
        " AND (e_actual_end_date = e_termination)"
    ),
    Kind.OFFENCES: "v_proven_on >= v_committed_on",
    Kind.ETE_NEED: "true",
    Kind.COHORT: "true",
}
FIELD_TYPES: dict[str, str] = {
    "crn": "text",
    "order_type": "text",
    "start_date": "date",
    "expected_end_date": "date",
    "actual_end_date": "date",
    "termination": "text",
    "committed_on": "date",
    "proven_on": "date",
    "proven_by": "text",
    "category": "text",
    "disposal": "text",
    "assessed_on": "date",
    "ete_need": "boolean",
    "score": "integer",
    "cohort": "text",
    "joined_on": "date",
}
TARGETS: dict[str, tuple[type[models.Model], bool]] = {
    # The model, and whether only its imported records are matched (hand-entered ones are
    # never changed).
    Kind.ORDERS: (Order, True),
    Kind.OFFENCES: (ProvenOffence, True),
    Kind.ETE_NEED: (EteNeedAssessment, False),
    Kind.COHORT: (CohortMembership, False),
}


# Columns each of whose values is read the same way on every row: their distinct values are
# read once, by Python (``_read_value``).
DICTIONARY = ("date", "choice", "yes_no", "whole", "empty")


def _read_value(
    name: str, how: str, options: dict[str, Any], raw: str, today: datetime.date
) -> tuple[bool, bool, str | None, datetime.date | None, bool | None, int | None]:
    """How the kind reads a cell of this column holding ``raw`` (as staged: the reader's
    stripping is done here, as the reader does it): whether it passes (``kinds.Cells``,
    with the options the kind's parser gives), whether it is empty, and its value (as
    text, date, flag or number, whichever the column holds)."""
    value = raw.strip()
    cells = Cells(0, {name: value}, today)
    read: Any = None
    if how == "date":
        read = cells.date(name, required=options["required"], past=options["past"])
    elif how == "choice":
        read = cells.choice(name, options["table"], required=options["required"])
    elif how == "yes_no":
        read = cells.yes_no(name)
    elif how == "whole":
        read = cells.whole_number(name, low=0, high=options["high"])
    elif value:  # "empty": the sentence columns, which SQL vouches for only when empty
        return False, False, None, None, None, None
    if cells.errors:
        return False, not value, None, None, None, None
    return (
        True,
        not value,
        read if isinstance(read, str) else None,
        read if isinstance(read, datetime.date) else None,
        read if isinstance(read, bool) else None,
        read if isinstance(read, int) and not isinstance(read, bool) else None,
    )


def available() -> bool:
    return connection.vendor == "postgresql"


def _fields(kind: str) -> list[str]:
    return [field for _c, how, field, _o in COLUMNS[kind] if how != "empty"]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class CopyImport:
    """One import's staging tables and the statements over them."""

    def __init__(
        self,
        batch: ImportBatch,
        spec: KindSpec,
        path: Path,
        *,
        positions: dict[str, int],
        titles: list[str],
        header: Row,
        progress: Progress,
        deadline: Deadline,
    ) -> None:
        self.batch = batch
        self.spec = spec
        self.path = path
        self.positions = positions
        self.titles = titles
        self.width = len(header.cells)
        self.progress = progress
        self.deadline = deadline
        self.today = timezone.localdate()
        self.fields = _fields(batch.kind)
        self.plain = False  # whether the file went to COPY as it is

    # Statements -------------------------------------------------------------------------

    @contextmanager
    def _limited(self, row: int | None = None) -> Iterator[CursorWrapper]:
        """A cursor whose statements PostgreSQL cancels at the deadline: in a transaction
        of their own (a savepoint within the import's transaction in the merge), with
        ``statement_timeout`` set to the time left (``SET LOCAL``: until that transaction
        ends, so in the merge for the rest of the import's). A statement cancelled so is
        the import running past its deadline (``TooLarge``, as between statements); what it
        began is rolled back, and the setting with it."""
        self.deadline.check(row)
        left = max(1, math.ceil(self.deadline.left() * 1000))  # ms; 0 would mean no limit
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{left}ms"])
                yield cursor
        except Exception as error:
            if cancelled_at(self.deadline, error):
                raise self.deadline.passed(row) from error
            raise

    def _run(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self._limited() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def _unlimited(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def close(self) -> None:
        """Drop the staging tables and reset the session's memory setting: at the end of
        any import, past its deadline too (so never limited by it)."""
        self._unlimited("RESET work_mem")
        self._unlimited(
            "DROP TABLE IF EXISTS import_rows, import_values, import_parsed, import_checked, "
            "import_fixed, import_errors, import_known, import_match"
        )

    # 1. Stage ---------------------------------------------------------------------------

    def _create_rows(self) -> None:
        cells = ", ".join(f"c{index} text" for index in range(self.width))
        self.close()
        # Grouping a million rows by their keys (duplicates, distinct values) in memory
        # rather than on disk; the session's own setting, reset when the import ends.
        self._unlimited(f"SET work_mem = '{WORK_MEM}'")
        self._run(
            "CREATE TEMP TABLE import_rows (n integer GENERATED BY DEFAULT AS IDENTITY "
            f"(START WITH 2), blank boolean, errs text, {cells})"
        )

    def stage(self, rows: Iterator[Row]) -> None:
        """Put the file's rows in ``import_rows``: as it is when it is plain, else through
        the reader (``rows``, positioned after the header)."""
        if not is_xlsx(self.path) and self.width <= limits.MAX_COLUMNS:
            try:
                with transaction.atomic():
                    self._create_rows()
                    self._copy_plain()
                self.plain = True
                return
            except NotPlain:
                pass
            except Exception as error:
                if not _copy_refused(error):  # COPY refused what the reader may take
                    raise
        with transaction.atomic():
            self._create_rows()
            self._copy_rows(rows)

    def _copy_plain(self) -> None:
        """Send the file's bytes to COPY as they are, a block at a time, checking each
        block is one COPY reads as the reader would (``NotPlain`` otherwise). Line breaks at
        the very end are held back: blank lines after the last row are not rows."""
        columns = ", ".join(f"c{index}" for index in range(self.width))
        sql = f"COPY import_rows ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        plain = Plain()
        total = self.batch.total_rows
        held = b""
        first = True
        with (
            self._limited() as cursor,
            self.path.open("rb") as handle,
            cursor.cursor.copy(sql) as copy,
        ):
            while block := handle.read(BLOCK):
                self.deadline.check()
                if first and block.startswith(BOM):
                    block = block[len(BOM) :]
                first = False
                plain.feed(block)
                if plain.lines - 1 > limits.MAX_ROWS:
                    raise NotPlain  # the reader says where the limit is passed
                data = held + block
                body = data.rstrip(b"\r\n")
                held = data[len(body) :]
                if body:
                    copy.write(body)
                self.progress("Checking", max(plain.lines - 1, 0), total)
            plain.end()
            if held:
                copy.write(b"\r\n" if held.startswith(b"\r") else b"\n")

    def _copy_rows(self, rows: Iterator[Row]) -> None:
        known = sorted(set(self.positions.values()))
        columns = ", ".join(["n", "blank", "errs", *(f"c{index}" for index in known)])
        sql = f"COPY import_rows ({columns}) FROM STDIN"
        skip = set(self.positions.values())
        total = self.batch.total_rows
        with self._limited() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                self.deadline.check(row.number)
                cells = row.cells
                picked = [cells[index] if index < len(cells) else "" for index in known]
                errs = None
                if "\x00" in "".join(cells):
                    errs = json.dumps(self._nul_row_errors(row, skip))
                    picked = [cell.replace("\x00", "") for cell in picked]
                copy.write_row([row.number, not any(cells), errs, *picked])
                if row.number % BATCH == 0:
                    self.progress("Checking", row.number - 1, total)

    def _nul_row_errors(self, row: Row, skip: set[int]) -> list[dict[str, Any]]:
        """A row holding a NUL (which no text column can) is checked by Python at once, as
        the streaming path checks it; its errors go with it."""
        from pathways.imports.services import _nul_errors

        cells = row.cells
        values = {
            name: (cells[index] if index < len(cells) else "")
            for name, index in self.positions.items()
        }
        checked = Cells(row.number, values, self.today)
        checked.errors.extend(_nul_errors(row, self.titles, skip))
        checked.crn()
        self.spec.parse(checked)
        return [error.as_dict() for error in checked.errors]

    # 2. Check ---------------------------------------------------------------------------

    def _cell(self, name: str) -> str:
        index = self.positions.get(name)
        if index is None:
            return "''::text"
        return f"btrim(coalesce(c{index}, ''), %(ws)s)"

    def _raw_cell(self, name: str) -> str:
        """The cell as staged (a dictionary column's values are stripped by Python)."""
        index = self.positions.get(name)
        return "''::text" if index is None else f"coalesce(c{index}, '')"

    def _blank(self) -> str:
        cells = [f"c{index}" for index in range(self.width)]
        groups = [
            "concat(" + ", ".join(cells[start : start + 90]) + ")"
            for start in range(0, len(cells), 90)
        ]
        joined = groups[0] if len(groups) == 1 else "concat(" + ", ".join(groups) + ")"
        # A row with a CRN is not blank: the whole row is trimmed only for those without.
        return (
            f"CASE WHEN blank IS NOT NULL THEN blank WHEN {self._cell('crn')} <> '' THEN false "
            f"ELSE btrim({joined}, %(ws)s) = '' END"
        )

    def _dictionary(self) -> None:
        """The distinct values of the columns read the same way on every row (dates,
        choices, yes/no, numbers), each read once by the kind's own Python reader
        (``kinds.Cells``) into ``import_parsed``: whether it passes, and its value. A
        column's reading depends on its cell alone; the rules between columns are SQL's."""
        kind = self.batch.kind
        looked = [
            (name, how, options) for name, how, _f, options in COLUMNS[kind] if how in DICTIONARY
        ]
        # One pass a column, each a hash of its few distinct values.
        values = " UNION ALL ".join(
            f"(SELECT '{name}' AS col, {self._raw_cell(name)} AS raw FROM import_rows "  # noqa: S608
            f"GROUP BY {self._raw_cell(name)})"
            for name, _h, _o in looked
        )
        self._run(f"CREATE TEMP TABLE import_values AS {values}")
        self._run("CREATE INDEX ON import_values (col, raw)")
        self._run(
            "CREATE TEMP TABLE import_parsed (col text, raw text, ok boolean, empty boolean, "
            "value text, day date, flag boolean, number integer)"
        )
        how_of = {name: (how, options) for name, how, options in looked}
        after = ("", "")
        while True:
            self.deadline.check()
            page = self._run(
                "SELECT col, raw FROM import_values WHERE (col, raw) > (%s, %s) "
                "ORDER BY col, raw LIMIT %s",
                [*after, BATCH],
            )
            if not page:
                break
            parsed = [
                (col, raw, *_read_value(col, *how_of[col], raw, self.today)) for col, raw in page
            ]
            with self._limited() as cursor:
                cursor.executemany(
                    "INSERT INTO import_parsed VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", parsed
                )
            after = page[-1]
        self._run("ANALYZE import_parsed")

    def _check_sql(self) -> tuple[str, dict[str, Any]]:
        """The statement that makes ``import_checked``: every row, its typed values and
        whether SQL vouches for it (``ok``); the cells of the rows it does not, for Python."""
        kind = self.batch.kind
        params: dict[str, Any] = {
            "ws": WHITESPACE,
            "printable": PRINTABLE,
            "text_control": TEXT_CONTROL_SQL,
        }
        names = [name for name, _h, _f, _o in COLUMNS[kind]]
        stripped = ", ".join(
            f"{self._raw_cell(name)} AS r_{name}, {self._raw_cell(name)} AS s_{name}"
            if how in DICTIONARY
            else f"{self._cell(name)} AS s_{name}"
            for name, how, _f, _o in COLUMNS[kind]
        )
        joins: list[str] = []
        empties: list[str] = []
        oks: list[str] = []
        values: list[tuple[str, str]] = []  # (expression, field)
        for name, how, field, options in COLUMNS[kind]:
            s = f"l1.s_{name}"
            if how in DICTIONARY:
                joins.append(
                    f"LEFT JOIN import_parsed d_{name} ON d_{name}.col = '{name}' "
                    f"AND d_{name}.raw = l1.r_{name}"
                )
                oks.append(f"coalesce(d_{name}.ok, false)")
                empties.append(f"d_{name}.empty AS e_{name}")
                if how != "empty":
                    column = {"date": "day", "boolean": "flag", "integer": "number"}
                    values.append((f"d_{name}.{column.get(FIELD_TYPES[field], 'value')}", field))
            elif how == "crn":
                oks.append(f"{s} ~ '^[A-Za-z][0-9]{{6}}$'")
                values.append((f"upper({s})", "crn"))
            elif how == "text":
                oks.append(
                    f"({s} !~ %(text_control)s AND char_length({s}) <= {options['max_length']})"
                )
                values.append((s, field))
            elif how == "cohort":
                oks.append(f"({s} ~ %(printable)s AND char_length({s}) <= {options['max_length']})")
                values.append((f"regexp_replace(upper({s}), ' {{2,}}', ' ', 'g')", field))
        raw = ", ".join(f"s_{name}" for name in names)
        ok = " AND ".join(["l1.errs IS NULL", "NOT l1.blank", *oks])
        typed = ", ".join(f"CASE WHEN ok THEN v_{field} END AS {field}" for _e, field in values)
        sql = f"""
            CREATE TEMP TABLE import_checked AS
            SELECT n, blank, errs, ok, {typed},
                   {", ".join(f"CASE WHEN NOT ok THEN s_{name} END AS s_{name}" for name in names)}
            FROM (
              SELECT n, blank, errs, {raw}, {", ".join(f"v_{field}" for _e, field in values)},
                     ok AND coalesce({RULES[kind]}, false) AS ok
              FROM (
                SELECT l1.n, l1.blank, l1.errs, {", ".join(f"l1.s_{name}" for name in names)},
                       {", ".join(f"{expression} AS v_{field}" for expression, field in values)},
                       {", ".join(empties)},
                       coalesce({ok}, false) AS ok
                FROM (
                  SELECT n, {self._blank()} AS blank, errs, {stripped}
                  FROM import_rows OFFSET 0
                ) l1
                {" ".join(joins)}
              ) l2 OFFSET 0
            ) l3
        """  # noqa: S608
        return sql, params

    def check(self, report: Any) -> int:
        """Check every row; return the data rows read. Errors and unknown CRNs go to the
        report (counted in full, the first ``KEPT`` of each kept)."""
        self._run("ANALYZE import_rows")
        self._dictionary()
        self.deadline.check()
        sql, params = self._check_sql()
        self._run(sql, params)
        self.deadline.check()
        typed = ", ".join(f"{name} {FIELD_TYPES[name]}" for name in self.fields)
        self._run(
            "CREATE TEMP TABLE import_errors (n integer, seq integer, col text, value text, "
            "expected text)"
        )
        self._run(f"CREATE TEMP TABLE import_fixed (n integer, {typed}, sentence jsonb)")
        self._recheck()
        self.deadline.check()
        [(data_rows, last)] = self._run(
            "SELECT count(*) FILTER (WHERE NOT blank), max(n) FILTER (WHERE NOT blank) "
            "FROM import_checked"
        )
        self.batch.rows_processed = data_rows
        self.batch.save(update_fields=["rows_processed"])
        self.progress("Checking", data_rows, self.batch.total_rows)
        self._report(report, last or 0)
        return int(data_rows)

    def _recheck(self) -> None:
        """The rows SQL did not vouch for, checked by the kind's Python parser in row
        order, ``BATCH`` at a time: errors to ``import_errors``, good rows to
        ``import_fixed`` and then marked good."""
        self._run(
            "INSERT INTO import_errors "
            "SELECT n, e.seq::integer, e.error->>'column', e.error->>'value', "
            "e.error->>'expected' FROM import_checked, "
            "jsonb_array_elements(errs::jsonb) WITH ORDINALITY AS e(error, seq) "
            "WHERE errs IS NOT NULL"
        )
        self._run("CREATE INDEX ON import_checked (n) WHERE NOT ok AND NOT blank AND errs IS NULL")
        names = [name for name, _h, _f, _o in COLUMNS[self.batch.kind]]
        columns = ", ".join(f"s_{name}" for name in names)
        fixed_columns = ["n", *self.fields, "sentence"]
        last = 0
        while True:
            self.deadline.check(last or None)
            rows = self._run(
                f"SELECT n, {columns} FROM import_checked WHERE NOT ok AND NOT blank "  # noqa: S608
                "AND errs IS NULL AND n > %s ORDER BY n LIMIT %s",
                [last, BATCH],
            )
            if not rows:
                break
            errors: list[tuple[Any, ...]] = []
            fixed: list[tuple[Any, ...]] = []
            for n, *cells in rows:
                values = {
                    name: (cell or "").strip()  # the reader's stripping
                    for name, cell in zip(names, cells, strict=True)
                    if name in self.positions
                }
                checked = Cells(n, values, self.today)
                crn = checked.crn()
                parsed = self.spec.parse(checked)
                if checked.errors:
                    for seq, error in enumerate(checked.errors, start=1):
                        shown = error.as_dict()
                        errors.append((n, seq, shown["column"], shown["value"], shown["expected"]))
                    continue
                parsed["crn"] = crn
                sentence = parsed.get("sentence")
                fixed.append(
                    (
                        n,
                        *(parsed[field] for field in self.fields),
                        json.dumps(sentence, default=str) if sentence else None,
                    )
                )
            last = rows[-1][0]
            with self._limited(last) as cursor:
                if errors:
                    cursor.executemany(
                        "INSERT INTO import_errors VALUES (%s, %s, %s, %s, %s)", errors
                    )
                if fixed:
                    marks = ", ".join(["%s"] * len(fixed_columns))
                    cursor.executemany(
                        f"INSERT INTO import_fixed ({', '.join(fixed_columns)}) VALUES ({marks})",  # noqa: S608
                        fixed,
                    )
        sets = ", ".join(f"{field} = f.{field}" for field in self.fields)
        self._run(
            f"UPDATE import_checked c SET ok = true, {sets} FROM import_fixed f WHERE c.n = f.n"  # noqa: S608
        )

    def _report(self, report: Any, last: int) -> None:
        blank = "a row with data (this row is blank)"
        [(row_errors,)] = self._run("SELECT count(*) FROM import_errors")
        [(blanks,)] = self._run(
            "SELECT count(*) FROM import_checked WHERE blank AND n < %s", [last]
        )
        kept = self._run(
            "SELECT n, col, value, expected FROM ("
            "  SELECT n, seq, col, value, expected FROM import_errors"
            "  UNION ALL SELECT n, 0, '', '', %s FROM import_checked WHERE blank AND n < %s"
            ") e ORDER BY n, seq LIMIT %s",
            [blank, last, KEPT],
        )
        keys = ", ".join(["crn", *self.spec.key_fields])
        duplicates = (
            f"WITH first AS (SELECT {keys}, min(n) AS first FROM import_checked WHERE ok "  # noqa: S608
            f"GROUP BY {keys} HAVING count(*) > 1) "
            f"SELECT c.n, f.first FROM import_checked c JOIN first f USING ({keys}) "
            "WHERE c.ok AND c.n > f.first"
        )
        [(duplicate_count,)] = self._run(f"SELECT count(*) FROM ({duplicates}) d")  # noqa: S608
        room = max(KEPT - len(kept), 0)
        repeated = (
            self._run(f"{duplicates} ORDER BY c.n LIMIT %s", [room])
            if duplicate_count and room
            else []
        )
        report.errors = [
            {"row": n, "column": col, "value": value, "expected": expected}
            for n, col, value, expected in kept
        ] + [
            RowError(n, "", "", f"a row not already in the file (it repeats row {first})").as_dict()
            for n, first in repeated
        ]
        report.error_total = int(row_errors + blanks + duplicate_count)
        self._known()
        unknown = (
            "FROM import_checked c WHERE c.ok AND NOT EXISTS "
            "(SELECT 1 FROM import_known k WHERE k.crn = c.crn)"
        )
        [(unknown_count,)] = self._run(f"SELECT count(*) {unknown}")
        report.unknown_total = int(unknown_count)
        report.unknown = [
            {"row": n, "crn": crn}
            for n, crn in self._run(f"SELECT c.n, c.crn {unknown} ORDER BY c.n LIMIT %s", [KEPT])
        ]

    def _known(self) -> None:
        """The service's people (``services._known``): CRN and id, leaving out those whose
        processing is restricted."""
        self._run("DROP TABLE IF EXISTS import_known")
        self._run(
            f"CREATE TEMP TABLE import_known AS SELECT p.crn, p.id "  # noqa: S608
            f"FROM {_quote(Participant._meta.db_table)} p "
            "WHERE p.crn IS NOT NULL AND p.crn <> '' AND p.processing_restricted_at IS NULL "
            f"AND EXISTS (SELECT 1 FROM {_quote(Referral._meta.db_table)} r "
            "WHERE r.participant_id = p.id AND r.service_id = %s)",
            [self.batch.service_id],
        )
        self._run("ANALYZE import_known")

    # 3. Merge ---------------------------------------------------------------------------

    def apply(self, counts: Any, *, write: bool) -> None:
        """Create, update or leave each good row's record (or only count them). Called
        inside the import's transaction for a real import."""
        kind = self.batch.kind
        model, imported_only = TARGETS[kind]
        table = _quote(model._meta.db_table)
        self.deadline.check()
        self._known()
        keys = list(self.spec.key_fields)
        values = list(self.spec.value_fields)
        scope = f"AND e.source = '{Source.IMPORT}'" if imported_only else ""
        join = " AND ".join(f"e.{key} = c.{key}" for key in keys)
        changed = " OR ".join(f"e.{value} IS DISTINCT FROM c.{value}" for value in values)
        fields = [field for field in self.fields if field != "crn"]
        self._run("DROP TABLE IF EXISTS import_match")
        # Each row once, with the record of its natural key that was made first (the
        # lowest id) if there are several: one sort, by row and id, which the rows' order
        # needs anyway.
        self._run(
            f"""
            CREATE TEMP TABLE import_match AS
            SELECT DISTINCT ON (c.n)
                   c.n, k.id AS participant_id, {", ".join(f"c.{f}" for f in fields)},
                   e.id AS existing_id,
                   e.id IS NOT NULL AND ({changed or "false"}) AS changed
            FROM import_checked c
            JOIN import_known k ON k.crn = c.crn
            LEFT JOIN {table} e ON e.participant_id = k.id AND {join} {scope}
            WHERE c.ok
            ORDER BY c.n, e.id
            """  # noqa: S608
        )
        [(created, updated, unchanged, first, last)] = self._run(
            "SELECT count(*) FILTER (WHERE existing_id IS NULL), count(*) FILTER (WHERE changed),"
            " count(*) FILTER (WHERE existing_id IS NOT NULL AND NOT changed), min(n), max(n) "
            "FROM import_match"
        )
        counts.created, counts.updated, counts.unchanged = created, updated, unchanged
        if not write or first is None:
            self.progress(
                "Saving" if write else "Counting", self.batch.total_rows, self.batch.total_rows
            )
            return
        self._run("CREATE INDEX ON import_match (n)")
        insert, insert_params = self._insert_sql(model, fields)
        provenance, update_params = self._update_sql()
        sets = ", ".join([*(f"{value} = m.{value}" for value in values), provenance])
        update = (
            f"UPDATE {table} t SET {sets} FROM import_match m "  # noqa: S608
            "WHERE m.changed AND t.id = m.existing_id AND m.n BETWEEN %(low)s AND %(high)s"
        )
        for low in range(first, last + 1, MERGE_ROWS):
            high = min(low + MERGE_ROWS - 1, last)
            self.deadline.check(low)
            self._run(insert, {**insert_params, "low": low, "high": high})
            if updated:
                self._run(update, {**update_params, "low": low, "high": high})
            if kind == Kind.OFFENCES:
                self._sentences(low, high)
            self.progress("Saving", high - 1, self.batch.total_rows)
        # What is left of the import's transaction (the batch's record, and the commit,
        # which checks the foreign keys of every row written) is held to the deadline too.
        with self._limited(last):
            pass

    def _insert_sql(
        self, model: type[models.Model], fields: list[str]
    ) -> tuple[str, dict[str, Any]]:
        """INSERT of the new records of rows ``low`` to ``high``: the row's fields, the
        import's provenance, and every other column's default."""
        columns: list[str] = []
        expressions: list[str] = []
        params: dict[str, Any] = {}
        provided = {
            "source": Source.IMPORT,
            "source_ref": self.batch.source_ref,
            "recorded_at": timezone.now(),
            "batch": self.batch.pk,
        }
        for model_field in model._meta.concrete_fields:
            if model_field.primary_key:
                continue
            columns.append(_quote(model_field.column))
            if model_field.name == "participant":
                expressions.append("m.participant_id")
            elif model_field.name in fields:
                expressions.append(f"m.{model_field.name}")
            else:
                value = provided.get(model_field.name, model_field.get_default())
                params[f"f_{model_field.name}"] = value
                expressions.append(f"%(f_{model_field.name})s")
        sql = (
            f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(expressions)} FROM import_match m "
            "WHERE m.existing_id IS NULL AND m.n BETWEEN %(low)s AND %(high)s ORDER BY m.n"
        )
        return sql, params

    def _update_sql(self) -> tuple[str, dict[str, Any]]:
        if self.batch.kind in (Kind.ORDERS, Kind.OFFENCES):
            return "source_ref = %(ref)s", {"ref": self.batch.source_ref}
        return "batch_id = %(ref)s", {"ref": self.batch.pk}

    def _sentences(self, low: int, high: int) -> None:
        """The sentences of imported offences (rows Python read), as the streaming path
        writes them: convictions.convictions_merge_imported, ``BATCH`` rows at a time."""
        rows = self._run(
            "SELECT m.participant_id, m.proven_on, m.proven_by, f.sentence "
            "FROM import_match m JOIN import_fixed f ON f.n = m.n "
            "WHERE f.sentence IS NOT NULL AND m.n BETWEEN %s AND %s ORDER BY m.n",
            [low, high],
        )
        for start in range(0, len(rows), BATCH):
            sentences = []
            for participant_id, proven_on, proven_by, sentence in rows[start : start + BATCH]:
                facts = json.loads(sentence) if isinstance(sentence, str) else dict(sentence)
                if facts.get("ends_on"):
                    facts["ends_on"] = datetime.date.fromisoformat(facts["ends_on"])
                caution = proven_by == ProvenBy.CAUTION
                sentences.append((participant_id, proven_on, caution, facts))
            convictions_merge_imported(sentences, source_ref=self.batch.source_ref)


class Plain:
    """Checks, block by block, that a CSV is one COPY reads exactly as the reader does:
    valid UTF-8, no NUL, no carriage return but before a line feed, no line COPY takes for
    its end of data (``\\.``), no line longer than a cell may be (so no cell is), and quotes
    only around whole cells. Raises ``NotPlain`` at the first block that is not."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.carry = b""  # the line the last block ended in
        self.lines = 0

    def feed(self, block: bytes) -> None:
        try:
            self.decoder.decode(block)
        except UnicodeDecodeError:
            raise NotPlain from None
        data = self.carry + block
        cut = data.rfind(b"\n") + 1
        self.carry = data[cut:]
        if len(self.carry) > limits.MAX_CELL_CHARS:
            raise NotPlain
        self._lines(data[:cut])

    def end(self) -> None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise NotPlain from None
        self._lines(self.carry)
        self.carry = b""

    def _lines(self, part: bytes) -> None:
        if not part:
            return
        lines = part.split(b"\n")
        self.lines += len(lines) - (1 if part.endswith(b"\n") else 0)
        if max(map(len, lines)) > limits.MAX_CELL_CHARS or b"\x00" in part:
            raise NotPlain
        if b"\r" in part and LONE_CR.search(part):
            raise NotPlain
        if b"\\." in part and END_OF_DATA.search(part):
            raise NotPlain
        if b'"' in part:
            for line in lines:
                if b'"' in line and PLAIN_LINE.fullmatch(line) is None:
                    raise NotPlain


def cancelled_at(deadline: Deadline, error: BaseException) -> bool:
    """Whether PostgreSQL cancelled a statement for running to the deadline (the
    ``statement_timeout`` that ``CopyImport`` sets from it), not for another reason."""
    cancelled = isinstance(error, QueryCanceled) or isinstance(error.__cause__, QueryCanceled)
    return cancelled and deadline.left() < TIMEOUT_SLACK


def _copy_refused(error: Exception) -> bool:
    """COPY refused the file (a row with more or fewer cells than the header, a blank
    line between rows): the reader reads it instead, with its own rules."""
    import psycopg
    from django.db import DataError

    return isinstance(error, DataError | psycopg.DataError)
