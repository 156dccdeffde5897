"""The Justice Data Lab participant list, as CSV or XLSX: manager only, audited once per
export with the number of people, every text cell neutralised against formula injection."""

from __future__ import annotations

import csv
import datetime
import io

from django.db import transaction

from pathways.accounts.models import User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.exports import safe_cell
from pathways.imports.selectors import JDL_COLUMNS, jdl_rows


def _text(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


@transaction.atomic
def jdl_export(*, actor: User, fmt: str) -> tuple[bytes, int]:
    """The file's bytes and the number of people in it."""
    require(actor, Action.EXPORT_JDL)
    count = 0
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(JDL_COLUMNS)
        for row in jdl_rows(actor):
            writer.writerow([safe_cell(_text(value)) for value in row])
            count += 1
        content = out.getvalue().encode("utf-8-sig")  # Excel reads the BOM as UTF-8
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Participants")
        sheet.append(JDL_COLUMNS)
        for row in jdl_rows(actor):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_cell("" if value is None else value))
                if isinstance(value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            sheet.append(cells)
            count += 1
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    else:
        raise ValueError(f"Unknown format: {fmt}")
    service = actor.service
    assert service is not None
    audit(
        actor=actor,
        kind=AuditKind.VIEW,
        action="jdl.exported",
        obj=service,
        subject_id=None,
        summary=f"Justice Data Lab list exported ({fmt.upper()}, {count} people)",
        detail={"format": fmt, "people": count},
    )
    return content, count
