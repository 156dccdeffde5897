"""The offences extract's optional sentence columns: each row with a sentence type becomes
an imported conviction whose spent date is worked out (docs/imports.md, docs/disclosure.md);
a sentence the rules cannot place is an error naming its column, and nothing changes."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pathways.accounts.models import Service, User
from pathways.convictions.models import Conviction
from pathways.imports.models import BatchStatus, ImportBatch, Kind
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import csv_file
from pathways.outcomes.models import ProvenOffence

pytestmark = pytest.mark.usefixtures("people")

HEADER = (
    "crn,offence_date,proven_on,proven_by,offence_category,disposal,"
    "sentence_type,sentence_length,sentence_end_date,schedule_18,endorsement"
)


def run(service: Service, manager: User, tmp_path: Path, text: str) -> ImportBatch:
    path = csv_file(tmp_path, text)
    return import_file(actor=manager, service=service, kind=Kind.OFFENCES, path=path)


def test_a_sentence_becomes_an_imported_conviction_with_its_spent_date(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"""{HEADER}
A000001,2023-06-10,2023-08-12,conviction,theft,6 months custody,custody,6 months,,no,
A000001,2023-09-01,2023-10-01,conviction,theft,Fine,fine,,,,
A000002,2023-06-10,2023-07-01,caution,drugs,,Conditional caution,,2023-08-01,,
A000003,2023-06-10,2023-07-01,conviction,drugs,no sentence columns,,,,,
"""
    batch = run(service, manager, tmp_path, text)
    assert batch.status == BatchStatus.DONE, batch.report
    assert ProvenOffence.objects.count() == 4
    custody = Conviction.objects.get(participant__crn="A000001", convicted_on="2023-08-12")
    fine = Conviction.objects.get(participant__crn="A000001", convicted_on="2023-10-01")
    # Custody of 6 months: spent 12 months after it ends (11 February 2025); the fine falls
    # inside that period, so both are spent then (ROA s.6(4)).
    assert custody.spent_on == fine.spent_on == datetime.date(2025, 2, 11)
    assert custody.source == "import" and custody.source_ref == f"import:{batch.pk}"
    caution = Conviction.objects.get(participant__crn="A000002")
    assert caution.caution and caution.spent_on == datetime.date(2023, 8, 1)
    assert not Conviction.objects.filter(participant__crn="A000003").exists()
    again = run(service, manager, tmp_path, text.replace("6 months,,no", "8 months,,no"))
    assert again.status == BatchStatus.DONE, again.report
    assert Conviction.objects.count() == 3  # updated, not added
    custody.refresh_from_db()
    assert custody.sentences.get().length == 8


def test_a_sentence_the_rules_cannot_place_is_refused(
    tmp_path: Path, service: Service, manager: User
) -> None:
    text = f"""{HEADER}
A000001,2023-06-10,2023-08-12,conviction,theft,,custody,,,,
A000002,2023-06-10,2023-08-12,conviction,theft,,fine,a while,,,
A000003,2023-06-10,2023-08-12,conviction,theft,,gaol,,,,
"""
    batch = run(service, manager, tmp_path, text)
    assert batch.status == BatchStatus.REJECTED
    columns = [(e["row"], e["column"]) for e in batch.report["errors"]]
    assert columns == [(2, "sentence_length"), (3, "sentence_length"), (4, "sentence_type")]
    assert not Conviction.objects.exists() and not ProvenOffence.objects.exists()
