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
2. **Check.** One statement turns every row into typed values where the cells are in the
   plain forms an extract uses (an ISO or UK date, a choice by its code or label, a CRN),
   and marks the row good when each value passes every rule the kind's parser applies
   (``kinds.py``). The rows it cannot vouch for (a few, in a good extract) are read back
   and checked by the kind's own Python parser: their errors (the same messages, by
   construction) go to ``import_errors``, and those that pass after all join the good
   ones. Blank rows between data rows, duplicates (grouped by natural key) and unknown
   CRNs are queries. The report is then read in the streaming path's order: by row, each
   row's errors in the order its parser found them, duplicates last.
3. **Merge** (only when there is no error): in the import's one transaction, each good row
   of a person of the service is matched on its natural key to the record an earlier
   import made (``import_match``), then created or updated with ``INSERT ... SELECT`` and
   ``UPDATE ... FROM``, ``MERGE_ROWS`` rows at a time so that progress moves and the time
   limit holds. A dry run counts from ``import_match`` and writes nothing.

The temporary tables live in the import's database session and are dropped when it ends.

Statements are built from names fixed here and in the models (tables, columns, kinds' field
names), never from the file: every value of the file or the batch is a parameter (hence
the ``noqa: S608`` on them).
"""

from __future__ import annotations

import codecs
import datetime
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

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
    _key,
)
from pathways.imports.models import CohortMembership, EteNeedAssessment, ImportBatch, Kind
from pathways.imports.reading import BOM, Deadline, Row, is_xlsx
from pathways.outcomes.models import Order, ProvenBy, ProvenOffence, Source
from pathways.participants.models import Participant
from pathways.referrals.models import Referral

Progress = Callable[[str, int, int], None]

# Rows merged per statement in the save pass (progress and the time limit move between).
MERGE_ROWS = 50_000
# Rows checked by Python per round trip, and rows sent to COPY between progress reports.
BATCH = 2_000
KEPT = 1_000  # as services.KEPT: errors and unknown CRNs kept in the report
BLOCK = 1 << 20

# What Python's str.strip() strips (str.isspace): the reader strips every cell so.
WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
PRINTABLE = "^[ -~]+$"  # printable ASCII: the plain form of a choice, a yes/no, a cohort
TEXT_CONTROL_SQL = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"  # kinds.TEXT_CONTROL (NUL never reaches SQL)
ISO = "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"
UK = "^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$"

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
        " AND ((s_actual_end_date <> '') = (s_termination <> ''))"
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


def _spellings(table: dict[str, str]) -> dict[str, str]:
    """Lower-case spellings of a choice (its code and label, with spaces, hyphens or
    underscores), each with the value ``kinds`` gives it: ``table[_key(spelling)]``."""
    found: dict[str, str] = {}
    for key in table:
        words = key.split("_")
        for joined in {" ".join(words), "-".join(words), "_".join(words), "".join(words)}:
            for spelling in (joined, *_hyphenated(words)):
                if _key(spelling) in table:
                    found[spelling.lower()] = table[_key(spelling)]
    return found


def _hyphenated(words: list[str]) -> list[str]:
    """ "post-sentence supervision": each pair of words joined by a hyphen, the rest by a
    space."""
    return [
        " ".join([*words[:index], f"{words[index]}-{words[index + 1]}", *words[index + 2 :]])
        for index in range(len(words) - 1)
    ]


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

    def _run(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        self._run(
            "DROP TABLE IF EXISTS import_rows, import_checked, import_fixed, import_errors, "
            "import_known, import_match"
        )

    # 1. Stage ---------------------------------------------------------------------------

    def _create_rows(self) -> None:
        cells = ", ".join(f"c{index} text" for index in range(self.width))
        self.close()
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
            connection.cursor() as cursor,
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
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
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

    def _blank(self) -> str:
        cells = [f"c{index}" for index in range(self.width)]
        groups = [
            "concat(" + ", ".join(cells[start : start + 90]) + ")"
            for start in range(0, len(cells), 90)
        ]
        joined = groups[0] if len(groups) == 1 else "concat(" + ", ".join(groups) + ")"
        return f"coalesce(blank, btrim({joined}, %(ws)s) = '')"

    def _check_sql(self) -> tuple[str, dict[str, Any]]:
        """The statement that makes ``import_checked``: every row, its typed values and
        whether SQL vouches for it (``ok``); the cells of the rows it does not, for Python."""
        kind = self.batch.kind
        params: dict[str, Any] = {
            "ws": WHITESPACE,
            "today": self.today,
            "printable": PRINTABLE,
            "text_control": TEXT_CONTROL_SQL,
            "iso": ISO,
            "uk": UK,
        }
        names = [name for name, _h, _f, _o in COLUMNS[kind]]
        stripped = ", ".join(f"{self._cell(name)} AS s_{name}" for name in names)
        level2: list[str] = []
        level3: list[str] = []
        oks: list[str] = []
        values: list[str] = []
        for name, how, field, options in COLUMNS[kind]:
            s = f"s_{name}"
            if how == "crn":
                oks.append(f"{s} ~ '^[A-Za-z][0-9]{{6}}$'")
                values.append(f"upper({s}) AS crn")
            elif how == "choice":
                params[f"table_{name}"] = json.dumps(options["table"])
                params[f"spelt_{name}"] = json.dumps(_spellings(options["table"]))
                # The usual spellings are looked up as they are (lower case); others have
                # their punctuation and spaces made one "_" first, as kinds._key does.
                level2.append(
                    f"coalesce(%(spelt_{name})s::jsonb ->> lower({s}), "
                    f"CASE WHEN {s} ~ %(printable)s THEN %(table_{name})s::jsonb ->> "
                    f"btrim(regexp_replace(lower({s}), '[^a-z0-9]+', '_', 'g'), '_') END) "
                    f"AS k_{name}"
                )
                required = options["required"]
                oks.append(
                    f"k_{name} IS NOT NULL" if required else f"({s} = '' OR k_{name} IS NOT NULL)"
                )
                values.append(f"coalesce(k_{name}, '') AS v_{field}")
            elif how == "date":
                level2.append(
                    f"CASE WHEN {s} ~ %(iso)s THEN string_to_array({s}, '-')::int[] "
                    f"WHEN {s} ~ %(uk)s THEN ARRAY[split_part({s}, '/', 3)::int, "
                    f"split_part({s}, '/', 2)::int, split_part({s}, '/', 1)::int] END AS p_{name}"
                )
                p = f"p_{name}"
                days = (
                    f"CASE WHEN {p}[2] = 2 THEN CASE WHEN ({p}[1] %% 4 = 0 AND {p}[1] %% 100 <> 0)"
                    f" OR {p}[1] %% 400 = 0 THEN 29 ELSE 28 END"
                    f" WHEN {p}[2] IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
                )
                level3.append(
                    f"CASE WHEN {p}[1] >= 1900 AND {p}[2] BETWEEN 1 AND 12 AND {p}[3] >= 1 "
                    f"AND {p}[3] <= {days} THEN make_date({p}[1], {p}[2], {p}[3]) END "
                    f"AS v_{field}"
                )
                good = f"v_{field} IS NOT NULL" + (
                    f" AND v_{field} <= %(today)s::date" if options["past"] else ""
                )
                oks.append(f"({good})" if options["required"] else f"({s} = '' OR ({good}))")
                values.append(f"v_{field}")
            elif how == "text":
                oks.append(
                    f"({s} !~ %(text_control)s AND char_length({s}) <= {options['max_length']})"
                )
                values.append(f"{s} AS v_{field}")
            elif how == "cohort":
                oks.append(f"({s} ~ %(printable)s AND char_length({s}) <= {options['max_length']})")
                values.append(f"regexp_replace(upper({s}), ' {{2,}}', ' ', 'g') AS v_{field}")
            elif how == "yes_no":
                oks.append(
                    f"({s} ~ %(printable)s AND lower({s}) IN "
                    "('yes', 'y', 'true', '1', 'no', 'n', 'false', '0'))"
                )
                values.append(f"lower({s}) IN ('yes', 'y', 'true', '1') AS v_{field}")
            elif how == "whole":
                level2.append(f"CASE WHEN {s} ~ '^[0-9]{{1,9}}$' THEN {s}::int END AS w_{name}")
                oks.append(f"({s} = '' OR w_{name} <= {options['high']})")
                values.append(f"w_{name} AS v_{field}")
            elif how == "empty":
                oks.append(f"{s} = ''")
        # Level 3 passes level 2's values on; the date values are made there.
        passed2 = [f"k_{n}" for n, h, _f, _o in COLUMNS[kind] if h == "choice"]
        passed2 += [f"w_{n}" for n, h, _f, _o in COLUMNS[kind] if h == "whole"]
        raw = ", ".join(f"s_{name}" for name in names)
        ok = " AND ".join(["errs IS NULL", "NOT blank", *oks, f"({RULES[kind]})"])
        typed = []
        for item in values:
            column = item.split(" AS ")[-1] if " AS " in item else item
            typed.append(f"CASE WHEN ok THEN {column} END AS {column.removeprefix('v_')}")
        sql = f"""
            CREATE TEMP TABLE import_checked AS
            SELECT n, blank, errs, ok, {", ".join(typed)},
                   {", ".join(f"CASE WHEN NOT ok THEN s_{name} END AS s_{name}" for name in names)}
            FROM (
              SELECT n, blank, errs, {raw}, {", ".join(values)}, coalesce({ok}, false) AS ok
              FROM (
                SELECT n, blank, errs, {raw}, {", ".join([*passed2, *level3]) or "1 AS x"}
                FROM (
                  SELECT n, blank, errs, {raw}{"".join(", " + item for item in level2)}
                  FROM (
                    SELECT n, {self._blank()} AS blank, errs, {stripped}
                    FROM import_rows OFFSET 0
                  ) l1 OFFSET 0
                ) l2 OFFSET 0
              ) l3 OFFSET 0
            ) l4
        """  # noqa: S608
        return sql, params

    def check(self, report: Any) -> int:
        """Check every row; return the data rows read. Errors and unknown CRNs go to the
        report (counted in full, the first ``KEPT`` of each kept)."""
        sql, params = self._check_sql()
        self.deadline.check()
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
                    name: (cell or "")
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
            with connection.cursor() as cursor:
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
        scope = f"AND source = '{Source.IMPORT}'" if imported_only else ""
        join = " AND ".join(f"e.{key} = c.{key}" for key in keys)
        changed = " OR ".join(f"e.{value} IS DISTINCT FROM c.{value}" for value in values)
        fields = [field for field in self.fields if field != "crn"]
        self._run("DROP TABLE IF EXISTS import_match")
        self._run(
            f"""
            CREATE TEMP TABLE import_match AS
            SELECT c.n, k.id AS participant_id, {", ".join(f"c.{f}" for f in fields)},
                   e.id AS existing_id,
                   e.id IS NOT NULL AND ({changed or "false"}) AS changed
            FROM import_checked c
            JOIN import_known k ON k.crn = c.crn
            LEFT JOIN (
              SELECT DISTINCT ON (participant_id, {", ".join(keys)})
                     id, participant_id, {", ".join([*keys, *values])}
              FROM {table}
              WHERE participant_id IN (SELECT id FROM import_known) {scope}
              ORDER BY participant_id, {", ".join(keys)}, id
            ) e ON e.participant_id = k.id AND {join}
            WHERE c.ok
            ORDER BY c.n
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


def _copy_refused(error: Exception) -> bool:
    """COPY refused the file (a row with more or fewer cells than the header, a blank
    line between rows): the reader reads it instead, with its own rules."""
    import psycopg
    from django.db import DataError

    return isinstance(error, DataError | psycopg.DataError)
