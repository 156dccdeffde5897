"""Every import file of the test suite through both paths: the same outcome, counts, report
and records.

An import takes one of two paths (docs/imports.md): on PostgreSQL the file goes through
COPY and is checked and merged in SQL (``copying``); elsewhere it is streamed through
Python (``services``). Each file here (those of test_services, test_sentences,
test_row_count and test_hostile_files, and some that test the COPY path's own edges) is
imported by each path and compared with the outcome recorded in ``paths_expected.json``
(recorded from the streaming path). On SQLite only the streaming path can run; on
PostgreSQL both do, so both are shown to give the recorded outcome.

To record the outcomes again (after a deliberate change of a rule):

    RECORD_IMPORT_PATHS=1 .venv/bin/python -m pytest pathways/imports/tests/test_paths.py -k stream
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.convictions.models import Conviction
from pathways.data_protection.services import participant_restrict
from pathways.imports import copying, limits
from pathways.imports.models import CohortMembership, EteNeedAssessment, ImportBatch, Kind
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import (
    ORDERS_HEADER,
    crafted_xlsx,
    csv_file,
    huge_cell_sheet,
    shared_sheet,
    shared_strings_bomb,
    sheet_xml,
    xlsx_file,
)
from pathways.imports.tests.test_row_count import ROWS as THREE_ROWS
from pathways.imports.tests.test_sentences import HEADER as SENTENCES
from pathways.imports.tests.test_services import BAD_FILES, GOOD_ORDERS
from pathways.outcomes.models import Order, ProvenOffence, Source
from pathways.participants.models import Participant

pytestmark = pytest.mark.usefixtures("people")

EXPECTED = Path(__file__).with_name("paths_expected.json")
RECORD = os.environ.get("RECORD_IMPORT_PATHS") == "1"
MB = 1 << 20
HEADER = ORDERS_HEADER.split(",")
ORDER_ROW = ["A000001", "licence", "2023-05-01", "", "", ""]
OFFENCES = "crn,offence_date,proven_on,proven_by,offence_category,disposal"

Build = Callable[[Path], Path]


@dataclass
class Case:
    kind: str
    build: Build
    before: list[tuple[str, Build]] = field(default_factory=list)  # imported first
    limits: dict[str, int] = field(default_factory=dict)  # limits.py, for this file only
    dry_run: bool = False
    # "restricted": A000001's processing is restricted; "hand": a hand order; "twice": two
    # imported orders with one natural key (the first made is the one an import updates)
    setup: str = ""


def text(content: str, **kw: Any) -> Build:
    return lambda tmp: csv_file(tmp, content, **kw)


def raw(content: bytes, name: str = "extract.csv") -> Build:
    def build(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path

    return build


def workbook(rows: list[list[Any]], name: str = "extract.xlsx") -> Build:
    return lambda tmp: xlsx_file(tmp, rows, name=name)


def crafted(sheet: Callable[[], Any], **kw: Any) -> Build:
    return lambda tmp: crafted_xlsx(tmp, sheet(), **kw)


def _long_line(tmp: Path) -> Path:
    path = tmp / "extract.csv"
    with path.open("wb") as handle:
        handle.write(f"{ORDERS_HEADER}\n".encode())
        for _ in range(8):
            handle.write(b"A" * MB)
    return path


def _document(tmp: Path) -> Path:
    path = tmp / "document.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return path


def _many(rows: int, *, errors_every: int = 0) -> str:
    """Orders for the three people (and an unknown CRN), each row its own order."""
    lines = [ORDERS_HEADER]
    start = datetime.date(2010, 1, 1)
    for number in range(rows):
        crn = ("A000001", "A000002", "A000003", "Z999999")[number % 4]
        day = start + datetime.timedelta(days=number)
        shown = day.isoformat() if number % 2 else day.strftime("%d/%m/%Y")
        if errors_every and number % errors_every == 0:
            shown = "not a date"
        ended = number % 3 == 0
        end = (day + datetime.timedelta(days=30)).isoformat() if ended else ""
        lines.append(f"{crn},licence,{shown},,{end},{'completed' if ended else ''}")
    return "\n".join(lines)


LATER_ORDERS = f"""{ORDERS_HEADER}
A000001,community order,2023-01-10,2024-01-09,2023-12-20,completed
A000002,Licence,15/02/2023,,2023-09-01,revoked
A000001,licence,2023-06-01,,,
"""
SENTENCED = f"""{SENTENCES}
A000001,2023-06-10,2023-08-12,conviction,theft,6 months custody,custody,6 months,,no,
A000001,2023-09-01,2023-10-01,conviction,theft,Fine,fine,,,,
A000002,2023-06-10,2023-07-01,caution,drugs,,Conditional caution,,2023-08-01,,
A000003,2023-06-10,2023-07-01,conviction,drugs,no sentence columns,,,,,
"""
LONG = "x" * (limits.MAX_CELL_CHARS + 1)


def _huge_single_cell() -> Any:
    for piece in huge_cell_sheet(0):
        yield piece
        if piece.startswith('<row r="2">'):
            for n in range(400_000):
                yield f"{n * 7919 % 1000003:x}"


CASES: dict[str, Case] = {
    # test_services
    "good orders": Case(Kind.ORDERS, text(GOOD_ORDERS)),
    "good orders, BOM and CRLF": Case(Kind.ORDERS, text(GOOD_ORDERS, bom=True, crlf=True)),
    "good orders, BOM": Case(Kind.ORDERS, text(GOOD_ORDERS, bom=True)),
    "good orders, CRLF": Case(Kind.ORDERS, text(GOOD_ORDERS, crlf=True)),
    "good orders, dry run": Case(Kind.ORDERS, text(GOOD_ORDERS), dry_run=True),
    "xlsx in any order with real dates": Case(
        Kind.ORDERS,
        workbook(
            [
                ["Start Date", "CRN", "Termination Reason", "Order Type", "End Date"],
                [
                    datetime.datetime(2023, 1, 10),
                    "a000001",
                    "New offence",
                    "Community order",
                    datetime.date(2023, 5, 1),
                ],
                ["15/02/2023", "A000002", None, "licence", None],
            ]
        ),
    ),
    "overlapping extract": Case(
        Kind.ORDERS,
        text(LATER_ORDERS, name="later.csv"),
        before=[(Kind.ORDERS, text(GOOD_ORDERS))],
    ),
    "overlapping extract, dry run": Case(
        Kind.ORDERS,
        text(LATER_ORDERS, name="later.csv"),
        before=[(Kind.ORDERS, text(GOOD_ORDERS))],
        dry_run=True,
    ),
    "hand-entered order kept": Case(Kind.ORDERS, text(GOOD_ORDERS), setup="hand"),
    "two imported orders with one key": Case(
        Kind.ORDERS,
        text(f"{ORDERS_HEADER}\nA000001,community order,2023-01-10,2026-01-10,,"),
        setup="twice",
    ),
    "unknown CRN": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\nA000001,community order,2023-01-10,,,\nZ999999,licence,2023-01-10,,,"
        ),
    ),
    "restricted person": Case(
        Kind.ORDERS,
        text(f"{ORDERS_HEADER}\nA000001,community order,2023-01-10,,,"),
        setup="restricted",
    ),
    **{
        f"bad file: {name}": Case(Kind.ORDERS, text(content))
        for name, (content, _e) in BAD_FILES.items()
    },
    "every error in one pass": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\nA000001,spaceship,2023-13-01,,,\nA000002,licence,2023-01-01,,,\n"
            "BAD,licence,2023-01-01,2022-01-01,,"
        ),
    ),
    "latin-1": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\nA000002,licence,2023-05-01,,,caf\u00e9",
            encoding="latin-1",
        ),
    ),
    "not a spreadsheet": Case(Kind.ORDERS, raw(b"PK\x03\x04 not really a zip", "broken.xlsx")),
    "extra columns": Case(
        Kind.ORDERS,
        text("crn,Officer name,order_type,start_date\nA000001,Smith,licence,2023-05-01"),
    ),
    "trailing blank rows": Case(
        Kind.ORDERS, raw(f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\n,,,,,\n\n".encode())
    ),
    "1,200 errors": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\n" + "\n".join("A000001,licence,not a date,,," for _ in range(1200))
        ),
    ),
    "offences with formula text": Case(
        Kind.OFFENCES,
        text(
            f'{OFFENCES}\nA000001,2023-06-10,12/08/2023,conviction,Theft offences,"=HYPERLINK(""http://x"",""y"")"\n'
            "A000002,2023-06-10,2023-07-01,Caution,drugs,"
        ),
    ),
    "xlsx formula as text": Case(
        Kind.OFFENCES,
        workbook(
            [
                OFFENCES.split(","),
                ["A000001", "2023-06-10", "2023-08-12", "conviction", "theft", "=1+1"],
            ]
        ),
    ),
    "offence proven before committed": Case(
        Kind.OFFENCES, text(f"{OFFENCES}\nA000001,2023-06-10,2023-06-01,conviction,theft")
    ),
    "ete need": Case(
        Kind.ETE_NEED,
        text(
            "CRN,Assessment date,ETE need,Score\nA000001,2023-01-01,yes,6\nA000002,2023-01-01,no,"
        ),
    ),
    "ete need again, changed": Case(
        Kind.ETE_NEED,
        text("crn,assessment_date,ete_need,score\nA000001,2023-01-01,no,6\nA000002,2023-01-01,no,"),
        before=[
            (
                Kind.ETE_NEED,
                text(
                    "CRN,Assessment date,ETE need,Score\n"
                    "A000001,2023-01-01,yes,6\nA000002,2023-01-01,no,"
                ),
            )
        ],
    ),
    "ete need, bad": Case(
        Kind.ETE_NEED, text("crn,assessment_date,ete_need,score\nA000001,2023-02-01,maybe,200")
    ),
    "cohort": Case(
        Kind.COHORT,
        text("crn,cohort,date_joined\nA000001,iom,2022-05-01\nA000002, IOM ,2022-06-01"),
    ),
    "cohort again": Case(
        Kind.COHORT,
        text("crn,cohort,date_joined\nA000001,IOM,2022-05-01\nA000003,iom  team,2022-06-01"),
        before=[(Kind.COHORT, text("crn,cohort,date_joined\nA000001,iom,2022-05-01"))],
    ),
    # test_sentences
    "sentences": Case(Kind.OFFENCES, text(SENTENCED)),
    "sentences again, changed": Case(
        Kind.OFFENCES,
        text(SENTENCED.replace("6 months,,no", "8 months,,no"), name="again.csv"),
        before=[(Kind.OFFENCES, text(SENTENCED))],
    ),
    "sentences the rules cannot place": Case(
        Kind.OFFENCES,
        text(
            f"{SENTENCES}\nA000001,2023-06-10,2023-08-12,conviction,theft,,custody,,,,\n"
            "A000002,2023-06-10,2023-08-12,conviction,theft,,fine,a while,,,\n"
            "A000003,2023-06-10,2023-08-12,conviction,theft,,gaol,,,,"
        ),
    ),
    # test_row_count
    "three rows, a cell with line breaks": Case(
        Kind.ORDERS,
        text(ORDERS_HEADER + ",note\n" + "\n".join(r + ',"one\ntwo\nthree"' for r in THREE_ROWS)),
    ),
    "three rows, trailing blank lines": Case(
        Kind.ORDERS,
        raw((ORDERS_HEADER + "\n" + "\n".join(THREE_ROWS) + "\n\n\n,,,,,\n\n").encode()),
    ),
    "three rows, xlsx": Case(Kind.ORDERS, workbook([HEADER, *(r.split(",") for r in THREE_ROWS)])),
    # test_hostile_files
    "zip bomb": Case(Kind.ORDERS, crafted(lambda: huge_cell_sheet(128 * MB))),
    "member past the size limit": Case(
        Kind.ORDERS,
        workbook([HEADER, *[[f"A{n:06d}", "licence"] for n in range(3_000)]]),
        limits={"MAX_MEMBER_BYTES": 64 * 1024},
    ),
    "workbook past the total size": Case(
        Kind.ORDERS, workbook([HEADER, ORDER_ROW]), limits={"MAX_TOTAL_BYTES": 8 * 1024}
    ),
    "shared strings bomb": Case(
        Kind.ORDERS,
        lambda tmp: crafted_xlsx(
            tmp, shared_sheet(), shared_strings=shared_strings_bomb(3_000_000)
        ),
    ),
    "shared strings past the count": Case(
        Kind.ORDERS,
        lambda tmp: crafted_xlsx(
            tmp, shared_sheet(), shared_strings=shared_strings_bomb(10_001, varied=True)
        ),
        limits={"MAX_SHARED_STRINGS": 10_000},
    ),
    "too many members": Case(
        Kind.ORDERS, crafted(lambda: sheet_xml([HEADER, ORDER_ROW]), extra_members=150)
    ),
    "dimension of a million rows": Case(
        Kind.ORDERS, crafted(lambda: sheet_xml([HEADER, ORDER_ROW], ref="A1:F1048576"))
    ),
    "dimension of every column": Case(
        Kind.ORDERS, crafted(lambda: sheet_xml([HEADER, ORDER_ROW], ref="A1:XFD2"))
    ),
    "rows past the limit, xlsx": Case(
        Kind.ORDERS,
        crafted(
            lambda: sheet_xml(
                [HEADER, *[[f"A{n:06d}", "licence", "2023-05-01"] for n in range(150)]], ref="A1:F2"
            )
        ),
        limits={"MAX_ROWS": 100},
    ),
    "rows past the limit, csv": Case(
        Kind.ORDERS,
        text(
            "\n".join(
                ",".join(row)
                for row in [HEADER, *[[f"A{n:06d}", "licence", "2023-05-01"] for n in range(150)]]
            )
        ),
        limits={"MAX_ROWS": 100},
    ),
    "a long cell, xlsx": Case(
        Kind.ORDERS,
        crafted(lambda: sheet_xml([[*HEADER, "notes"], [*ORDER_ROW, LONG]], ref="A1:G2")),
    ),
    "a long cell, csv": Case(
        Kind.ORDERS, text(f"{ORDERS_HEADER},notes\n{','.join(ORDER_ROW)},{LONG}")
    ),
    "a huge single cell": Case(Kind.ORDERS, crafted(_huge_single_cell)),
    "a line past the limit": Case(Kind.ORDERS, _long_line),
    **{
        f"control character {code}": Case(
            Kind.COHORT,
            text(f"crn,cohort,date_joined\nA000001,IOM,2023-01-01\nA000002,{cell},2023-01-01"),
        )
        for cell, code in (("IOM\x00", "0x00"), ("I\x0bOM", "0x0B"), ("IOM\x1b", "0x1B"))
    },
    "NUL in an ignored column": Case(
        Kind.ORDERS, text(f"{ORDERS_HEADER},Notes\n{','.join(ORDER_ROW)},a\x00b")
    ),
    "NUL in the header": Case(
        Kind.ORDERS, text(f"{ORDERS_HEADER},No\x00tes\n{','.join(ORDER_ROW)},")
    ),
    "control character in a choice": Case(
        Kind.ORDERS, text(f"{ORDERS_HEADER}\nA000001,lic\x0bence,2023-05-01,,,")
    ),
    "tab and line breaks in free text": Case(
        Kind.OFFENCES,
        text(
            f"{OFFENCES}\nA000001,2022-01-01,2022-03-01,conviction,theft,"
            '"Community order\r\n12 months\tunpaid"'
        ),
    ),
    "control characters, xlsx": Case(
        Kind.COHORT,
        crafted(
            lambda: sheet_xml(
                [
                    ["crn", "cohort", "date_joined"],
                    ["A000001", "I_x000B_OM", "2023-01-01"],
                    ["A000002", "IOM_x0000_", "2023-01-01"],
                ],
                ref="A1:C3",
            )
        ),
    ),
    "raw control character, xlsx": Case(
        Kind.COHORT,
        crafted(
            lambda: sheet_xml(
                [["crn", "cohort", "date_joined"], ["A000001", "I&#11;OM", "2023-01-01"]],
                ref="A1:C2",
            )
        ),
    ),
    "malformed zip": Case(Kind.ORDERS, raw(b"PK\x03\x04" + b"\x00garbage" * 100, "extract.xlsx")),
    "csv named xlsx": Case(
        Kind.ORDERS, text(f"{ORDERS_HEADER}\n{','.join(ORDER_ROW)}", name="extract.xlsx")
    ),
    "workbook named csv": Case(Kind.ORDERS, workbook([HEADER, ORDER_ROW], name="renamed.csv")),
    "zip that is not a workbook": Case(Kind.ORDERS, _document),
    "rows past an understated dimension": Case(
        Kind.ORDERS,
        crafted(
            lambda: sheet_xml(
                [HEADER, ORDER_ROW, ["A000002", "licence", "2023-05-01"]], ref="A1:C2"
            )
        ),
    ),
    # The COPY path's own edges: forms SQL leaves to Python, files COPY reads otherwise.
    "forms SQL leaves to Python": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\n"
            "a 000001,Community Order (CO),2023-01-10T00:00,2024-1-9,,\n"
            "A000002,SSO,1/2/2023,,2023-03-01 00:00:00,Completed successfully\n"
            "A000003,licence,\u0662\u0660\u0662\u0663-01-01,,,\n"
            "A000003,yro,2023-02-29,,,\n"
            "A000003,pss,1899-12-31,,,\n"
            "A000003,licence,2023-04-31,,,\n"
            "A000003,licence\u00a0,2023-05-01,,,\n"
        ),
    ),
    "forms SQL leaves to Python, all good": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\n"
            "a 000001,licence,2023-01-10T00:00,,,\n"
            "A000002,sso,2023-02-01 00:00:00,2024-02-01T00:00:00,,\n"
            "A000003,licence,\u0662\u0660\u0662\u0663-01-01,,,\n"
        ),
    ),
    "quoted cells, plain and not": Case(
        Kind.ORDERS,
        text(
            f'{ORDERS_HEADER},notes\nA000001,"licence",2023-05-01,,,,"Smith, John"\n'
            'A000002,licence,2023-05-01,,,,"said ""hi"""\n'
        ),
    ),
    "a quote inside a bare cell": Case(
        Kind.ORDERS, text(f'{ORDERS_HEADER},notes\nA000001,licence,2023-05-01,,,,5" tall\n')
    ),
    "rows of other widths": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\nA000001,licence,2023-05-01\nA000002,licence,2023-05-01,,,,,extra\n"
        ),
    ),
    "a line of COPY's end of data": Case(
        Kind.COHORT,
        text("crn,cohort,date_joined\nA000001,IOM,2023-01-01\n\\.\nA000002,IOM,2023-01-01"),
    ),
    "surrounding spaces and odd spacing": Case(
        Kind.ETE_NEED,
        text(
            "crn,assessment_date,ete_need,score\n  a000001 , 2023-01-01 ,\u2003YES ,007\n"
            "A000002,2023-01-01,True,\nA000003,2023-01-01,1,99\n"
        ),
    ),
    "offences, every column in plain forms": Case(
        Kind.OFFENCES,
        text(
            f"{OFFENCES}\nA000001,2023-06-10,2023-06-10,CONVICTION,Criminal damage and arson,\n"
            "A000002,10/06/2023,11/06/2023,caution,public order offences,Fine \u00a3100\n"
            "A000003,2023-06-10,2023-06-11,conviction,fraud," + "y" * 201 + "\n"
        ),
    ),
    "a thousand rows with an error every 97": Case(Kind.ORDERS, text(_many(1000, errors_every=97))),
    "a thousand rows, merged in chunks": Case(
        Kind.ORDERS, text(_many(1000)), before=[(Kind.ORDERS, text(_many(400), name="first.csv"))]
    ),
    "duplicates past the errors kept": Case(
        Kind.ORDERS,
        text(
            f"{ORDERS_HEADER}\n"
            + "\n".join("A000001,licence,not a date,,," for _ in range(999))
            + "\nA000002,licence,2023-05-01,,,\nA000002,licence,01/05/2023,,,"
            + "\nA000002,licence,2023-5-1,,,"
        ),
    ),
}


# Files the COPY path sends to COPY as they are, and files it reads through the reader
# (docs/imports.md): checked on PostgreSQL, so that each kind of file takes the path meant.
AS_THEY_ARE = {
    "good orders",
    "good orders, BOM",
    "good orders, CRLF",
    "good orders, BOM and CRLF",
    "trailing blank rows",
    "quoted cells, plain and not",
    "forms SQL leaves to Python, all good",
    "a thousand rows with an error every 97",
    "a thousand rows, merged in chunks",
    "1,200 errors",
    "sentences",
}
THROUGH_THE_READER = {
    "a quote inside a bare cell",
    "rows of other widths",
    "three rows, trailing blank lines",  # a blank line before ",,,,,": COPY refuses it
    "a line of COPY's end of data",
    "latin-1",
    "bad file: blank line between rows",
    "three rows, a cell with line breaks",
    "three rows, xlsx",
    "NUL in an ignored column",
    "control character 0x00",
}


def _records() -> dict[str, Any]:
    """Everything an import writes, by natural key and value, without ids."""

    def rows(queryset: Any, *fields: str) -> Any:
        found = sorted([[str(value) for value in row] for row in queryset.values_list(*fields)])
        if len(found) <= 20:
            return found
        # Many records: their number and a digest, so the recording stays readable.
        digest = hashlib.sha256(json.dumps(found).encode()).hexdigest()
        return {"count": len(found), "sha256": digest}

    return {
        "orders": rows(
            Order.objects,
            "participant__crn",
            "order_type",
            "start_date",
            "expected_end_date",
            "actual_end_date",
            "termination",
            "source",
        ),
        "offences": rows(
            ProvenOffence.objects,
            "participant__crn",
            "committed_on",
            "proven_on",
            "proven_by",
            "category",
            "disposal",
            "source",
        ),
        "convictions": rows(
            Conviction.objects,
            "participant__crn",
            "convicted_on",
            "caution",
            "spent_on",
            "sentences__type",
            "sentences__length",
        ),
        "ete": rows(
            EteNeedAssessment.objects, "participant__crn", "assessed_on", "ete_need", "score"
        ),
        "cohorts": rows(CohortMembership.objects, "participant__crn", "cohort", "joined_on"),
    }


def outcome(batch: ImportBatch) -> dict[str, Any]:
    return {
        "status": batch.status,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "skipped_unknown": batch.skipped_unknown,
        "error_count": batch.error_count,
        "total_rows": batch.total_rows,
        "report": batch.report,
        "records": _records(),
    }


@pytest.mark.parametrize("method", ["stream", "copy"])
@pytest.mark.parametrize("name", list(CASES))
def test_both_paths_give_the_recorded_outcome(
    tmp_path: Path,
    service: Service,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    method: str,
) -> None:
    if method == "copy" and not copying.available():
        pytest.skip("the COPY path runs on PostgreSQL (set DATABASE_URL)")
    case = CASES[name]
    if case.setup == "restricted":
        person = Participant.objects.get(crn="A000001")
        participant_restrict(actor=manager, participant=person, reason="Objection received")
    if case.setup == "hand":
        Order.objects.create(
            participant=Participant.objects.get(crn="A000001"),
            order_type="community_order",
            start_date=datetime.date(2023, 1, 10),
            source=Source.HAND,
            recorded_at=timezone.now(),
            recorded_by=manager,
        )
    if case.setup == "twice":
        for expected_end in (datetime.date(2024, 1, 10), datetime.date(2025, 1, 10)):
            Order.objects.create(
                participant=Participant.objects.get(crn="A000001"),
                order_type="community_order",
                start_date=datetime.date(2023, 1, 10),
                expected_end_date=expected_end,
                source=Source.IMPORT,
                recorded_at=timezone.now(),
                recorded_by=manager,
            )
    monkeypatch.setattr(copying, "MERGE_ROWS", 150)  # several merge statements per file
    for number, (kind, build) in enumerate(case.before):
        folder = tmp_path / f"before-{number}"
        folder.mkdir()
        import_file(actor=manager, service=service, kind=kind, path=build(folder), method=method)
    read_by_rows: list[Path] = []
    reader = copying.CopyImport._copy_rows

    def by_rows(self: copying.CopyImport, rows: Any) -> None:
        read_by_rows.append(self.path)
        reader(self, rows)

    monkeypatch.setattr(copying.CopyImport, "_copy_rows", by_rows)
    path = case.build(tmp_path)
    for limit, value in case.limits.items():
        monkeypatch.setattr(limits, limit, value)
    batch = import_file(
        actor=manager,
        service=service,
        kind=case.kind,
        path=path,
        dry_run=case.dry_run,
        method=method,
    )
    got = json.loads(json.dumps(outcome(batch), default=str))
    if method == "copy":
        if name in AS_THEY_ARE:
            assert read_by_rows == []
        if name in THROUGH_THE_READER:
            assert read_by_rows
    if RECORD and method == "stream":
        recorded = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
        recorded[name] = got
        lines = [
            f"{json.dumps(k)}: {json.dumps(recorded[k], sort_keys=True)}" for k in sorted(recorded)
        ]
        EXPECTED.write_text("{\n" + ",\n".join(lines) + "\n}\n")  # one file a line
        return
    expected = json.loads(EXPECTED.read_text())[name]
    assert got == expected


def test_every_case_is_recorded() -> None:
    assert sorted(json.loads(EXPECTED.read_text())) == sorted(CASES)


# A row of each kind that passes, and values to put in each of its columns in turn.
GOOD_ROWS: dict[str, dict[str, str]] = {
    Kind.ORDERS: {
        "crn": "A000001",
        "order_type": "licence",
        "start_date": "2000-01-01",
        "expected_end_date": "",
        "actual_end_date": "",
        "termination": "",
    },
    Kind.OFFENCES: {
        "crn": "A000001",
        "offence_date": "2000-01-01",
        "proven_on": "2000-02-01",
        "proven_by": "conviction",
        "offence_category": "theft",
    },
    Kind.ETE_NEED: {"crn": "A000001", "assessment_date": "2020-01-01", "ete_need": "yes"},
    Kind.COHORT: {"crn": "A000001", "cohort": "IOM", "date_joined": "2020-01-01"},
}
SAMPLES = [
    "",
    " ",
    "2023-01-10",
    "10/1/2023",
    "2023-01-10T00:00",
    "2099-01-01",
    "31/02/2023",
    "1899-12-31",
    "licence",
    "Community Order",
    "post-sentence supervision",
    "completed",
    "Terminated: breach",
    "caution",
    "Theft offences",
    "yes",
    "N",
    "0",
    "07",
    "99",
    "100",
    "x",
    "lic\x0bence",
    "custody",
]


def test_the_copy_paths_reading_of_each_column_is_the_kinds() -> None:
    """What the COPY path reads once per distinct value (``copying._read_value``, with the
    options of ``copying.COLUMNS``) is what the kind's parser makes of that column in a
    row: a value it passes has no error on its column and the same value. So a change to
    a kind's reading of a column that ``COLUMNS`` does not follow fails here."""
    from pathways.imports.kinds import SPECS, Cells

    today = timezone.localdate()
    for kind, columns in copying.COLUMNS.items():
        for name, how, target, options in columns:
            if how not in copying.DICTIONARY:
                continue
            for sample in SAMPLES:
                cells = Cells(2, {**GOOD_ROWS[kind], name: sample.strip()}, today)
                cells.crn()
                parsed = SPECS[kind].parse(cells)
                errors = [error for error in cells.errors if error.column == name]
                ok, _empty, text, day, flag, number = copying._read_value(
                    name, how, options, sample, today
                )
                if how == "empty":
                    assert ok == (sample.strip() == ""), (kind, name, sample)
                    continue
                assert ok == (not errors), (kind, name, sample, errors)
                if ok:
                    got = {"date": day, "yes_no": flag, "whole": number, "choice": text}[how]
                    assert got == parsed[target], (kind, name, sample, got, parsed[target])
