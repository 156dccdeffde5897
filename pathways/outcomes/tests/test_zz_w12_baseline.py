"""TEMPORARY (issue 12 helper): dump board reports before/after a purge for comparison."""

from __future__ import annotations

import datetime
import io
import json
import os
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from pathways.contracts import services as contracts
from pathways.contracts.models import AnnualValue, Payment
from pathways.core.periods import half_year, quarter
from pathways.data_protection.retention import purge_expired_records
from pathways.outcomes.tests.world import HALF, at
from pathways.reports import board, documents

pytestmark = pytest.mark.django_db
from pathways.outcomes.tests.world import local
PURGE = local(2031, 3, 3, 2)


def _purge():
    with time_machine.travel(PURGE, tick=False):
        result = purge_expired_records.enqueue()
    assert result.return_value == 4
D = datetime.date


def _strip(report):
    report = dict(report)
    report.pop("generated_at")
    report.pop("generated_text")
    return report


def _xlsx(figures):
    book = openpyxl.load_workbook(io.BytesIO(documents.render_xlsx(figures)))
    return [[[c for c in row] for row in s.iter_rows(values_only=True)] for s in book.worksheets]


@pytest.mark.parametrize("threshold", [0, 4])
def test_dump(world, manager, settings, threshold) -> None:
    settings.PATHWAYS_DISCLOSURE_THRESHOLD = threshold
    service = world.service
    with time_machine.travel(PURGE, tick=False):
        contract = contracts.contract_save(
            actor=manager, service=service, provider="Provider Ltd", commissioner="Office",
            reference="R1", start_date=D(2023, 5, 1), pilot_end_date=D(2025, 4, 30), notes="",
        )
        contracts.contract_part_save(
            actor=manager, contract=contract, part=AnnualValue(), year_start=D(2024, 5, 1),
            amount=Decimal("123456.78"),
        )
        contracts.contract_part_save(
            actor=manager, contract=contract, part=Payment(), paid_on=D(2024, 6, 1),
            amount=Decimal("1000.50"),
        )
    periods = [HALF, quarter(D(2024, 5, 1)), half_year(D(2024, 2, 1)), half_year(D(2024, 11, 1))]
    out = {}
    with at(PURGE):
        out["before"] = [_strip(board.build(service, p, commentary="As discussed.")) for p in periods]
    _purge()
    with at(PURGE):
        out["after"] = [_strip(board.build(service, p, commentary="As discussed.")) for p in periods]
    out["xlsx"] = [_xlsx(r) for r in out["after"]]
    path = os.environ.get("W12_OUT", "/tmp/w12/out") + f"_{threshold}.json"
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, default=str)
