"""Importing extracts: every rule, and that a file with any error changes nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pathways.accounts.models import Service, User
from pathways.core.models import AuditEvent
from pathways.data_protection.services import participant_restrict
from pathways.imports.models import (
    BatchStatus,
    CohortMembership,
    EteNeedAssessment,
    ImportBatch,
    Kind,
)
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import ORDERS_HEADER, csv_file, xlsx_file
from pathways.outcomes.models import Order, ProvenOffence, Source
from pathways.participants.models import Participant

pytestmark = pytest.mark.usefixtures("people")

GOOD_ORDERS = f"""{ORDERS_HEADER}
A000001,community order,2023-01-10,2024-01-09,2023-12-20,completed
A000002,Licence,15/02/2023,,,
A000003,suspended_sentence,2023-03-01,2024-03-01,01/06/2023,breach
"""


def run(
    service: Service, manager: User, path: Path, kind: str = Kind.ORDERS, **kw: object
) -> ImportBatch:
    return import_file(actor=manager, service=service, kind=kind, path=path, **kw)  # type: ignore[arg-type]


def expected_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["expected"]) for e in batch.report["errors"]]


def test_orders_are_created_with_their_source(
    tmp_path: Path, service: Service, manager: User
) -> None:
    batch = run(service, manager, csv_file(tmp_path, GOOD_ORDERS))
    assert batch.status == BatchStatus.DONE, batch.report
    assert (batch.created, batch.updated, batch.unchanged, batch.error_count) == (3, 0, 0, 0)
    order = Order.objects.get(participant__crn="A000001")
    assert order.source == Source.IMPORT and order.source_ref == f"import:{batch.pk}"
    assert order.order_type == "community_order" and order.termination == "completed"
    assert order.actual_end_date == datetime.date(2023, 12, 20)
    assert Order.objects.get(participant__crn="A000002").start_date == datetime.date(2023, 2, 15)
    assert batch.checksum and batch.uploaded_by == manager and batch.file_name == "extract.csv"
    assert AuditEvent.objects.filter(action="import.done", object_id=str(batch.pk)).count() == 1


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_utf8_with_or_without_bom_and_either_line_ending(
    tmp_path: Path, service: Service, manager: User, bom: bool, crlf: bool
) -> None:
    batch = run(service, manager, csv_file(tmp_path, GOOD_ORDERS, bom=bom, crlf=crlf))
    assert batch.status == BatchStatus.DONE and batch.created == 3, batch.report


def test_xlsx_with_columns_in_any_order_and_real_dates(
    tmp_path: Path, service: Service, manager: User
) -> None:
    path = xlsx_file(
        tmp_path,
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
        ],
    )
    batch = run(service, manager, path)
    assert batch.status == BatchStatus.DONE, batch.report
    order = Order.objects.get(participant__crn="A000001")
    assert order.termination == "new_offence" and order.actual_end_date == datetime.date(2023, 5, 1)


def test_same_file_again_changes_nothing_and_names_the_first_import(
    tmp_path: Path, service: Service, manager: User
) -> None:
    first = run(service, manager, csv_file(tmp_path, GOOD_ORDERS))
    again = run(service, manager, csv_file(tmp_path, GOOD_ORDERS, name="renamed.csv"))
    assert again.status == BatchStatus.DUPLICATE and again.matched == first
    assert Order.objects.count() == 3 and again.created == 0


def test_overlapping_extract_updates_rather_than_duplicates(
    tmp_path: Path, service: Service, manager: User
) -> None:
    run(service, manager, csv_file(tmp_path, GOOD_ORDERS))
    later = f"""{ORDERS_HEADER}
A000001,community order,2023-01-10,2024-01-09,2023-12-20,completed
A000002,Licence,15/02/2023,,2023-09-01,revoked
A000001,licence,2023-06-01,,,
"""
    batch = run(service, manager, csv_file(tmp_path, later, name="later.csv"))
    assert (batch.created, batch.updated, batch.unchanged) == (1, 1, 1), batch.report
    assert Order.objects.count() == 4
    updated = Order.objects.get(participant__crn="A000002")
    assert updated.termination == "revoked" and updated.source_ref == f"import:{batch.pk}"


def test_dry_run_counts_and_writes_nothing_but_history(
    tmp_path: Path, service: Service, manager: User
) -> None:
    batch = run(service, manager, csv_file(tmp_path, GOOD_ORDERS), dry_run=True)
    assert batch.status == BatchStatus.CHECKED and batch.created == 3
    assert not Order.objects.exists()
    # A dry run does not count as an import of the file: the real import still happens.
    real = run(service, manager, csv_file(tmp_path, GOOD_ORDERS))
    assert real.status == BatchStatus.DONE and Order.objects.count() == 3


def test_unknown_crns_are_skipped_and_reported_not_errors(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"""{ORDERS_HEADER}
A000001,community order,2023-01-10,,,
Z999999,community order,2023-01-10,,,
"""
    batch = run(service, manager, csv_file(tmp_path, text))
    assert batch.status == BatchStatus.DONE and batch.created == 1
    assert batch.skipped_unknown == 1 and batch.report["unknown"] == [{"row": 3, "crn": "Z999999"}]


def test_people_whose_processing_is_restricted_are_skipped(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"""{ORDERS_HEADER}
A000001,community order,2023-01-10,,,
"""
    person = Participant.objects.get(crn="A000001")
    participant_restrict(actor=manager, participant=person, reason="Objection received")
    batch = run(service, manager, csv_file(tmp_path, text))
    assert batch.status == BatchStatus.DONE and batch.created == 0
    assert batch.skipped_unknown == 1
    assert not Order.objects.filter(participant=person).exists()


def test_people_of_another_service_are_unknown(
    tmp_path: Path, service: Service, manager: User, outsider: User
) -> None:
    assert outsider.service is not None
    batch = run(outsider.service, outsider, csv_file(tmp_path, GOOD_ORDERS))
    assert batch.skipped_unknown == 3 and not Order.objects.exists()


BAD_FILES: dict[str, tuple[str, list[tuple[int, str, str | None]]]] = {
    "missing column": (
        "crn,order_type,expected_end_date\nA000001,licence,2024-01-01\n",
        [(1, "start_date", "a column headed 'start_date'")],
    ),
    "impossible date": (
        f"{ORDERS_HEADER}\nA000001,licence,31/02/2023,,,\n",
        [(2, "start_date", "a real date (this day does not exist)")],
    ),
    "not a date": (
        f"{ORDERS_HEADER}\nA000001,licence,March 2023,,,\n",
        [(2, "start_date", "a date as YYYY-MM-DD or DD/MM/YYYY")],
    ),
    "future start": (
        f"{ORDERS_HEADER}\nA000001,licence,2099-01-01,,,\n",
        [(2, "start_date", "a date that is not in the future")],
    ),
    "end before start": (
        f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,2023-04-01,2023-04-01,completed\n",
        [
            (2, "expected_end_date", "a date on or after the start date"),
            (2, "actual_end_date", "a date on or after the start date"),
        ],
    ),
    "end without termination": (
        f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,2023-06-01,\n",
        [(2, "termination", "how the order ended, as an end date is given")],
    ),
    "unknown termination": (
        f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,2023-06-01,finished\n",
        [(2, "termination", None)],
    ),
    "bad crn": (
        f"{ORDERS_HEADER}\nABC,licence,2023-05-01,,,\n",
        [(2, "crn", "a CRN: one letter and six digits, like X123456")],
    ),
    "duplicate within file": (
        f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\nA000002,licence,2023-05-01,,,\n"
        "a000001,Licence,01/05/2023,,,\n",
        [(4, "", "a row not already in the file (it repeats row 2)")],
    ),
    "blank line between rows": (
        f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\n\n,,,,,\nA000002,licence,2023-05-01,,,\n",
        [
            (3, "", "a row with data (this row is blank)"),
            (4, "", "a row with data (this row is blank)"),
        ],
    ),
    "formula in a date": (
        f"{ORDERS_HEADER}\nA000001,licence,=TODAY(),,,\n",
        [(2, "start_date", "a date as YYYY-MM-DD or DD/MM/YYYY")],
    ),
    "column twice": (
        "crn,order_type,start_date,Start Date\nA000001,licence,2023-05-01,2023-05-01\n",
        [(1, "start_date", "each column once (this one is repeated)")],
    ),
    "empty file": ("", [(1, "", "a header row naming the columns")]),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_gives_its_error_and_changes_nothing(
    tmp_path: Path, service: Service, manager: User, name: str
) -> None:
    # A good row in the same file is not imported either.
    text, expected = BAD_FILES[name]
    batch = run(service, manager, csv_file(tmp_path, text))
    assert batch.status == BatchStatus.REJECTED
    got = expected_of(batch)
    assert [(row, col) for row, col, _ in got] == [(row, col) for row, col, _ in expected]
    for (_r, _c, want), (_r2, _c2, have) in zip(expected, got, strict=True):
        if want is not None:
            assert have == want
    assert batch.error_count == len(expected)
    assert not Order.objects.exists()


def test_every_error_is_reported_in_one_pass(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"""{ORDERS_HEADER}
A000001,spaceship,2023-13-01,,,
A000002,licence,2023-01-01,,,
BAD,licence,2023-01-01,2022-01-01,,
"""
    batch = run(service, manager, csv_file(tmp_path, text))
    assert expected_of(batch) == [
        (2, "start_date", "a real date (this day does not exist)"),
        (2, "order_type", expected_of(batch)[1][2]),
        (4, "crn", "a CRN: one letter and six digits, like X123456"),
        (4, "expected_end_date", "a date on or after the start date"),
    ]
    assert not Order.objects.exists()


def test_wrong_encoding_names_the_line(tmp_path: Path, service: Service, manager: User) -> None:
    text = (
        f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\nA000002,licence,2023-05-01,,,caf\u00e9\n"
    )
    batch = run(service, manager, csv_file(tmp_path, text, encoding="latin-1"))
    assert batch.status == BatchStatus.REJECTED
    (error,) = batch.report["errors"]
    assert error["row"] == 3 and "0xe9" in error["expected"] and "UTF-8" in error["expected"]
    assert not Order.objects.exists()


def test_not_a_spreadsheet(tmp_path: Path, service: Service, manager: User) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    batch = run(service, manager, path)
    assert (
        batch.status == BatchStatus.REJECTED
        and "cannot be opened" in batch.report["errors"][0]["expected"]
    )


def test_extra_columns_are_ignored_and_reported(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = "crn,Officer name,order_type,start_date\nA000001,Smith,licence,2023-05-01\n"
    batch = run(service, manager, csv_file(tmp_path, text))
    assert batch.status == BatchStatus.DONE and batch.report["ignored_columns"] == ["Officer name"]


def test_trailing_blank_rows_are_ignored(tmp_path: Path, service: Service, manager: User) -> None:
    text = f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\n,,,,,\n\n"
    batch = run(service, manager, csv_file(tmp_path, text))
    assert batch.status == BatchStatus.DONE and batch.created == 1


def test_errors_are_counted_in_full_and_kept_to_a_thousand(
    tmp_path: Path, service: Service, manager: User
) -> None:
    rows = "\n".join("A000001,licence,not a date,,," for _ in range(1200))
    batch = run(service, manager, csv_file(tmp_path, f"{ORDERS_HEADER}\n{rows}"))
    assert batch.error_count == 1200 and len(batch.report["errors"]) == 1000


def test_offences_with_formula_text_stored_as_text(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = """crn,offence_date,proven_on,proven_by,offence_category,disposal
A000001,2023-06-10,12/08/2023,conviction,Theft offences,"=HYPERLINK(""http://x"",""y"")"
A000002,2023-06-10,2023-07-01,Caution,drugs,
"""
    batch = run(service, manager, csv_file(tmp_path, text), kind=Kind.OFFENCES)
    assert batch.status == BatchStatus.DONE and batch.created == 2, batch.report
    offence = ProvenOffence.objects.get(participant__crn="A000001")
    assert offence.disposal == '=HYPERLINK("http://x","y")' and offence.category == "theft"
    assert offence.source == Source.IMPORT


def test_xlsx_formula_cells_are_read_as_text_never_evaluated(
    tmp_path: Path, service: Service, manager: User
) -> None:
    path = xlsx_file(
        tmp_path,
        [
            ["crn", "offence_date", "proven_on", "proven_by", "offence_category", "disposal"],
            ["A000001", "2023-06-10", "2023-08-12", "conviction", "theft", "=1+1"],
        ],
    )
    batch = run(service, manager, path, kind=Kind.OFFENCES)
    assert batch.status == BatchStatus.DONE, batch.report
    assert ProvenOffence.objects.get().disposal == "=1+1"


def test_offence_proven_before_committed(tmp_path: Path, service: Service, manager: User) -> None:
    text = """crn,offence_date,proven_on,proven_by,offence_category
A000001,2023-06-10,2023-06-01,conviction,theft
"""
    batch = run(service, manager, csv_file(tmp_path, text), kind=Kind.OFFENCES)
    assert expected_of(batch) == [(2, "proven_on", "a date on or after the offence date")]


def test_ete_need_and_cohort(tmp_path: Path, service: Service, manager: User) -> None:
    ete = "CRN,Assessment date,ETE need,Score\nA000001,2023-01-01,yes,6\nA000002,2023-01-01,no,\n"
    batch = run(service, manager, csv_file(tmp_path, ete), kind=Kind.ETE_NEED)
    assert batch.status == BatchStatus.DONE and EteNeedAssessment.objects.count() == 2
    cohort = "crn,cohort,date_joined\nA000001,iom,2022-05-01\nA000002, IOM ,2022-06-01\n"
    batch = run(service, manager, csv_file(tmp_path, cohort, name="c.csv"), kind=Kind.COHORT)
    assert batch.status == BatchStatus.DONE
    assert set(CohortMembership.objects.values_list("cohort", flat=True)) == {"IOM"}
    bad = "crn,assessment_date,ete_need,score\nA000001,2023-02-01,maybe,200\n"
    batch = run(service, manager, csv_file(tmp_path, bad, name="b.csv"), kind=Kind.ETE_NEED)
    assert expected_of(batch) == [
        (2, "ete_need", "yes or no"),
        (2, "score", "a whole number from 0 to 99"),
    ]


def test_hand_entered_order_is_not_overwritten(
    tmp_path: Path, service: Service, manager: User, people: list[Participant]
) -> None:
    from django.utils import timezone

    hand = Order.objects.create(
        participant=people[0],
        order_type="community_order",
        start_date=datetime.date(2023, 1, 10),
        source=Source.HAND,
        recorded_at=timezone.now(),
        recorded_by=manager,
    )
    run(service, manager, csv_file(tmp_path, GOOD_ORDERS))
    hand.refresh_from_db()
    assert hand.actual_end_date is None and hand.source == Source.HAND
    assert Order.objects.filter(participant=people[0]).count() == 2


def test_an_unexpected_failure_keeps_its_type_but_not_its_message(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure's message can quote a cell (a name, a CRN): the report keeps the type only,
    as a failed RR Board report does, and nothing is changed."""

    def fails(*args: object, **kwargs: object) -> None:
        raise ValueError("Canary Smith A000001")

    # Both paths: the streaming one's chunks and the COPY path's merge (PostgreSQL).
    monkeypatch.setattr("pathways.imports.services._apply_chunk", fails)
    monkeypatch.setattr("pathways.imports.copying.CopyImport.apply", fails)
    batch = run(service, manager, csv_file(tmp_path, GOOD_ORDERS))
    assert batch.status == BatchStatus.FAILED
    assert batch.report["failure"] == "ValueError"
    assert "Canary" not in str(batch.report) and not Order.objects.exists()
