"""Taking in a probation extract: check every row, then apply all of it or nothing.

``batch_create`` records the import (who, when, file name, checksum) and ``batch_run``
does the work, in two passes over the file so that memory stays flat however long it is:

1. **Check**: every row is parsed and checked (formats, dates, rules between columns,
   duplicates within the file, remembered on disk in a throwaway SQLite file), and its CRN
   looked up among the service's people, 2,000 rows and one query at a time. Every error
   is counted; the first 1,000 are kept with row, column, value and what was expected.
2. **Apply** (only when there is no error): in one transaction, 2,000 rows at a time, each
   row is matched on its natural key to the record an earlier import made; it is created,
   updated or left unchanged with bulk queries. A dry run counts the same way and writes
   nothing but its history row.

A file whose content (SHA-256) was already imported for the same service and kind changes
nothing, and says which import it matched. Rows for CRNs that are not people of the
service are skipped and reported, not errors. One audit event records each import.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.convictions.services import convictions_merge_imported
from pathways.core.audit import AuditKind, audit
from pathways.imports.copying import CopyImport
from pathways.imports.copying import available as copying_available
from pathways.imports.copying import cancelled_at as copying_cancelled_at
from pathways.imports.kinds import (
    SPECS,
    Cells,
    KindSpec,
    Parsed,
    RowError,
    control_error,
    header_map,
)
from pathways.imports.models import (
    BatchStatus,
    CohortMembership,
    EteNeedAssessment,
    ImportBatch,
    Kind,
)
from pathways.imports.reading import (
    Deadline,
    FileUnreadable,
    Row,
    TooLarge,
    check_file,
    checksum_of,
    estimate_rows,
    rows_of,
)
from pathways.outcomes.models import Order, ProvenBy, ProvenOffence, Source
from pathways.participants.models import Participant
from pathways.referrals.models import Referral

logger = logging.getLogger(__name__)

CHUNK = 2000
KEPT = 1000  # errors and unknown CRNs kept in the report (all are counted)

Progress = Callable[[str, int, int], None]


class Report:
    """Errors and skipped rows, counted in full and kept up to ``KEPT`` of each."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.error_total = 0
        self.unknown: list[dict[str, Any]] = []
        self.unknown_total = 0
        self.ignored: list[str] = []
        # Data rows read: every row after the header that is not blank, valid or not.
        self.data_rows = 0

    def error(self, error: RowError) -> None:
        self.error_total += 1
        if len(self.errors) < KEPT:
            self.errors.append(error.as_dict())

    def skip(self, row: int, crn: str) -> None:
        self.unknown_total += 1
        if len(self.unknown) < KEPT:
            self.unknown.append({"row": row, "crn": crn})

    def as_json(self) -> dict[str, Any]:
        return {
            "errors": self.errors,
            "unknown": self.unknown,
            "ignored_columns": self.ignored,
        }


class SeenKeys:
    """Natural keys met in the file, appended to a temporary SQLite file and grouped at
    the end, so that finding duplicates within a file of millions of rows needs no memory
    to speak of (SQLite sorts on disk)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="pathways-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "seen.sqlite3")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA cache_size=-16000")  # 16 MB
        self._db.execute("CREATE TABLE seen (key TEXT, row INTEGER)")

    def add(self, items: list[tuple[str, int]]) -> None:
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", items)

    def duplicates(self) -> Iterator[tuple[int, int]]:
        """(row, the first row it repeats) for every repeated key, in row order."""
        self._db.execute("CREATE INDEX seen_key ON seen (key, row)")
        yield from self._db.execute(
            "SELECT s.row, f.first FROM seen s JOIN ("
            "  SELECT key, MIN(row) AS first FROM seen GROUP BY key HAVING COUNT(*) > 1"
            ") f ON f.key = s.key WHERE s.row > f.first ORDER BY s.row"
        )

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()


def _nul_errors(row: Row, titles: list[str], skip: set[int]) -> Iterator[RowError]:
    """A NUL character in any cell (but those at ``skip``, which the kind checks itself),
    ignored columns and the header included: no database stores it as text."""
    for index, cell in enumerate(row.cells):
        if index not in skip and "\x00" in cell:
            title = (
                titles[index] if index < len(titles) and titles[index] else f"column {index + 1}"
            )
            yield control_error(row.number, title, cell)


def _header(
    spec: KindSpec, rows: Iterator[Row], report: Report
) -> tuple[dict[str, int], list[str], Row] | None:
    """Read the header row: where each of the kind's columns is, the titles, and the row;
    None when the header has an error (each goes to the report)."""
    header = next(rows, None)
    if header is None or header.blank:
        report.error(RowError(1, "", "", "a header row naming the columns"))
        return None
    titles = [title.strip() for title in header.cells]
    nul_in_header = list(_nul_errors(header, titles, set()))
    for error in nul_in_header:
        report.error(error)
    if nul_in_header:
        return None
    positions, errors, report.ignored = header_map(spec, header.cells)
    for error in errors:
        report.error(error)
    if errors:
        return None
    return positions, titles, header


def _parsed_rows(
    spec: KindSpec, path: Path, report: Report, deadline: Deadline
) -> Iterator[tuple[int, str, Parsed]]:
    """The file's valid data rows as (row number, CRN, fields); errors go to the report.

    A blank row between data rows is an error (a row may have been lost); blank rows at
    the end of the file are ignored, as spreadsheets often leave them. The deadline is
    checked before every row.
    """
    rows = rows_of(path)
    read = _header(spec, rows, report)
    if read is None:
        return
    positions, titles, _row = read
    blanks: list[int] = []
    today = timezone.localdate()
    known = set(positions.values())
    for row in rows:
        deadline.check(row.number)
        if row.blank:
            blanks.append(row.number)
            continue
        for number in blanks:
            report.error(RowError(number, "", "", "a row with data (this row is blank)"))
        blanks.clear()
        report.data_rows += 1
        cells = row.cells
        values = {
            name: (cells[index] if index < len(cells) else "") for name, index in positions.items()
        }
        checked = Cells(row.number, values, today)
        checked.errors.extend(_nul_errors(row, titles, known))
        crn = checked.crn()
        parsed = spec.parse(checked)
        if checked.errors:
            for error in checked.errors:
                report.error(error)
            continue
        yield row.number, crn, parsed


def _chunks(rows: Iterable[tuple[int, str, Parsed]]) -> Iterator[list[tuple[int, str, Parsed]]]:
    chunk: list[tuple[int, str, Parsed]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _known(service_id: int, crns: Iterable[str]) -> dict[str, int]:
    """The service's people among these CRNs, in one query: CRN -> participant id. People
    whose processing is restricted are left out: their rows are skipped like unknown CRNs,
    so nothing of theirs changes (UK GDPR article 18)."""
    in_service = Referral.objects.filter(service_id=service_id, participant=OuterRef("pk"))
    found = (
        Participant.objects.filter(crn__in=set(crns), processing_restricted_at__isnull=True)
        .filter(Exists(in_service))
        .values_list("crn", "pk")
    )
    return {crn: pk for crn, pk in found if crn}


def _key_text(spec: KindSpec, crn: str, parsed: Parsed) -> str:
    return "|".join([crn, *(str(value) for value in spec.key(parsed))])


# Where each kind's rows go, which existing records an import may update, and what
# imported records carry to point back at the import.
_TARGETS: dict[str, tuple[type[models.Model], dict[str, Any]]] = {
    Kind.ORDERS: (Order, {"source": Source.IMPORT}),
    Kind.OFFENCES: (ProvenOffence, {"source": Source.IMPORT}),
    Kind.ETE_NEED: (EteNeedAssessment, {}),
    Kind.COHORT: (CohortMembership, {}),
}


def _provenance(batch: ImportBatch) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fields set on a created record, and on an updated one."""
    if batch.kind in (Kind.ORDERS, Kind.OFFENCES):
        return (
            {
                "source": Source.IMPORT,
                "source_ref": batch.source_ref,
                "recorded_at": timezone.now(),
            },
            {"source_ref": batch.source_ref},
        )
    return {"batch": batch}, {"batch": batch}


class _Counts:
    def __init__(self) -> None:
        self.created = self.updated = self.unchanged = 0


def _apply_chunk(
    batch: ImportBatch,
    spec: KindSpec,
    chunk: list[tuple[int, str, Parsed]],
    counts: _Counts,
    *,
    write: bool,
) -> None:
    model, scope = _TARGETS[batch.kind]
    known = _known(batch.service_id, (crn for _row, crn, _parsed in chunk))
    existing: dict[tuple[Any, ...], Any] = {}
    record: Any
    if known:
        for record in model._default_manager.filter(
            participant_id__in=known.values(), **scope
        ).order_by("pk"):
            key = (record.participant_id, *(getattr(record, f) for f in spec.key_fields))
            existing.setdefault(key, record)
    on_create, on_update = _provenance(batch)
    creates: list[models.Model] = []
    updates: list[models.Model] = []
    sentences: list[tuple[int, Any, bool, dict[str, Any]]] = []
    for _row, crn, parsed in chunk:
        participant_id = known.get(crn)
        if participant_id is None:
            continue
        if parsed.get("sentence"):  # offences: when the conviction is spent (convictions)
            caution = parsed["proven_by"] == ProvenBy.CAUTION
            sentences.append((participant_id, parsed["proven_on"], caution, parsed["sentence"]))
        parsed = {k: v for k, v in parsed.items() if k not in spec.extra_fields}
        record = existing.get((participant_id, *spec.key(parsed)))
        if record is None:
            creates.append(model(participant_id=participant_id, **parsed, **on_create))
            counts.created += 1
        elif any(getattr(record, f) != parsed[f] for f in spec.value_fields):
            for name in spec.value_fields:
                setattr(record, name, parsed[name])
            for name, value in on_update.items():
                setattr(record, name, value)
            updates.append(record)
            counts.updated += 1
        else:
            counts.unchanged += 1
    if write and creates:
        model._default_manager.bulk_create(creates, batch_size=CHUNK)
    if write and updates:
        model._default_manager.bulk_update(
            updates, [*spec.value_fields, *on_update], batch_size=500
        )
    if write and sentences:
        convictions_merge_imported(sentences, source_ref=batch.source_ref)


def _previous(batch: ImportBatch) -> ImportBatch | None:
    """An earlier import of the same content, for the same service and kind, that was
    applied."""
    return (
        ImportBatch.objects.filter(
            service_id=batch.service_id,
            kind=batch.kind,
            checksum=batch.checksum,
            dry_run=False,
            status=BatchStatus.DONE,
        )
        .exclude(pk=batch.pk)
        .order_by("uploaded_at", "pk")
        .first()
    )


def batch_create(
    *,
    actor: User | None,
    service: Service,
    kind: str,
    path: Path,
    file_name: str,
    dry_run: bool = False,
) -> ImportBatch:
    """Record that a file is to be imported (it is read by ``batch_run``)."""
    if kind not in SPECS:
        raise ValueError(f"Unknown kind of extract: {kind}")
    return ImportBatch.objects.create(
        service=service,
        kind=kind,
        file_name=file_name[:255],
        checksum=checksum_of(path),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        dry_run=dry_run,
        status=BatchStatus.QUEUED,
        total_rows=estimate_rows(path),
    )


def _save(batch: ImportBatch, *fields: str) -> None:
    batch.save(update_fields=list(fields))


def _finish(batch: ImportBatch, status: str, report: Report | None, counts: _Counts | None) -> None:
    batch.status = status
    batch.finished_at = timezone.now()
    if report is not None:
        batch.report = report.as_json()
        batch.error_count = report.error_total
        batch.skipped_unknown = report.unknown_total
    if counts is not None:
        batch.created, batch.updated, batch.unchanged = (
            counts.created,
            counts.updated,
            counts.unchanged,
        )
    batch.save()
    audit(
        actor=batch.uploaded_by,
        kind=AuditKind.CHANGE,
        action=f"import.{status}",
        obj=batch,
        subject_id=None,
        summary=f"{batch}: {batch.get_status_display()}",
        detail={
            "kind": batch.kind,
            "dry_run": batch.dry_run,
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
            "skipped_unknown": batch.skipped_unknown,
            "errors": batch.error_count,
            "matched": batch.matched_id,
        },
    )


def _check(
    batch: ImportBatch,
    spec: KindSpec,
    path: Path,
    report: Report,
    progress: Progress,
    deadline: Deadline,
) -> int:
    """Pass 1: every row checked, duplicates found, unknown CRNs counted. Returns the data
    rows read (not lines: a cell may hold a line break; blank rows at the end are not
    rows; a row with an error is one)."""
    seen = SeenKeys()
    done = 0
    try:
        for chunk in _chunks(_parsed_rows(spec, path, report, deadline)):
            known = _known(batch.service_id, (crn for _row, crn, _parsed in chunk))
            seen.add([(_key_text(spec, crn, p), row) for row, crn, p in chunk])
            for row, crn, _parsed in chunk:
                if crn not in known:
                    report.skip(row, crn)
            done = chunk[-1][0] - 1
            batch.rows_processed = done
            _save(batch, "rows_processed")
            progress("Checking", done, batch.total_rows)
        for row, first in seen.duplicates():
            deadline.check(row)
            report.error(
                RowError(row, "", "", f"a row not already in the file (it repeats row {first})")
            )
    finally:
        seen.close()
    return report.data_rows


def _apply(
    batch: ImportBatch,
    spec: KindSpec,
    path: Path,
    counts: _Counts,
    progress: Progress,
    deadline: Deadline,
    *,
    write: bool,
) -> None:
    """Pass 2: create, update or leave each row's record (or only count, for a dry run)."""
    report = Report()  # the file was checked; a second reading finds the same rows
    for chunk in _chunks(_parsed_rows(spec, path, report, deadline)):
        _apply_chunk(batch, spec, chunk, counts, write=write)
        done = chunk[-1][0] - 1
        if not write:
            batch.rows_processed = done
            _save(batch, "rows_processed")
        progress("Saving" if write else "Counting", done, batch.total_rows)


def _copy_check(
    batch: ImportBatch,
    spec: KindSpec,
    path: Path,
    report: Report,
    progress: Progress,
    deadline: Deadline,
) -> CopyImport | None:
    """Pass 1 on PostgreSQL (``copying``): the header read here, as in the streaming path,
    then the rows staged through COPY and checked in SQL. None when the header has an
    error (nothing was staged)."""
    rows = rows_of(path)
    try:
        read = _header(spec, rows, report)
        if read is None:
            return None
        positions, titles, header = read
        staged = CopyImport(
            batch,
            spec,
            path,
            positions=positions,
            titles=titles,
            header=header,
            progress=progress,
            deadline=deadline,
        )
        try:
            staged.stage(rows)
            report.data_rows = staged.check(report)
        except BaseException:
            staged.close()
            raise
        return staged
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def _uses_copy(method: str | None) -> bool:
    """Which path an import takes: COPY on PostgreSQL, streaming elsewhere (``method``
    chooses one: "copy" or "stream"; the tests run each file through both)."""
    if method is None:
        return copying_available()
    if method not in ("copy", "stream"):
        raise ValueError(f"Unknown import method: {method}")
    return method == "copy"


def _too_large(batch: ImportBatch, error: TooLarge) -> None:
    # Whatever the first pass found is dropped: the file was not read to its end.
    report = Report()
    report.error(RowError(error.row or 0, "", "", error.message))
    _finish(batch, BatchStatus.TOO_LARGE, report, None)


def batch_run(
    batch: ImportBatch,
    path: Path,
    *,
    progress: Progress | None = None,
    method: str | None = None,
) -> ImportBatch:
    """Check the file and, when it has no error (and is not a dry run), apply it in one
    transaction. Never raises for a bad file: the batch's status and report say what
    happened. A file past the limits (limits.py), or an import still running after
    ``limits.IMPORT_SECONDS``, stops, changes nothing and is reported as too large.

    On PostgreSQL the file goes through COPY and is checked and merged in SQL
    (``copying``); elsewhere it is streamed through Python twice. Both give the same
    outcome, counts and report."""
    progress = progress or _no_progress
    use_copy = _uses_copy(method)
    staged: CopyImport | None = None
    deadline = Deadline()
    spec = SPECS[batch.kind]
    report = Report()
    counts = _Counts()
    try:
        previous = _previous(batch)
        if previous is not None:
            batch.matched = previous
            _finish(batch, BatchStatus.DUPLICATE, None, None)
            return batch
        batch.status = BatchStatus.CHECKING
        _save(batch, "status")
        check_file(path, deadline)
        if use_copy:
            staged = _copy_check(batch, spec, path, report, progress, deadline)
            rows = report.data_rows
        else:
            rows = _check(batch, spec, path, report, progress, deadline)
        batch.total_rows = rows
        if report.error_total:
            _finish(batch, BatchStatus.REJECTED, report, None)
            return batch
        batch.status = BatchStatus.SAVING
        batch.rows_processed = 0
        _save(batch, "status", "total_rows", "rows_processed")
        if batch.dry_run:
            if staged is not None:
                staged.apply(counts, write=False)
            else:
                _apply(batch, spec, path, counts, progress, deadline, write=False)
            _finish(batch, BatchStatus.CHECKED, report, counts)
            return batch
        with transaction.atomic():
            # One import at a time per service: a second upload of the same file waits
            # here, then finds this one and changes nothing.
            Service.objects.select_for_update().filter(pk=batch.service_id).first()
            previous = _previous(batch)
            if previous is not None:
                batch.matched = previous
                _finish(batch, BatchStatus.DUPLICATE, None, None)
                return batch
            if staged is not None:
                staged.apply(counts, write=True)
            else:
                _apply(batch, spec, path, counts, progress, deadline, write=True)
            batch.rows_processed = rows
            _finish(batch, BatchStatus.DONE, report, counts)
    except TooLarge as error:
        _too_large(batch, error)
    except FileUnreadable as error:
        report.error(RowError(error.row or 0, "", "", error.message))
        _finish(batch, BatchStatus.REJECTED, report, None)
    except Exception as error:
        if use_copy and copying_cancelled_at(deadline, error):
            # PostgreSQL cancelled the commit at the deadline (copying.CopyImport): rolled
            # back, as a statement cancelled before it would have been.
            _too_large(batch, deadline.passed())
            return batch
        logger.exception("Import %s failed", batch.pk)
        # The type alone: a message can quote a cell (a name, a CRN), as a log line could.
        batch.report = {**report.as_json(), "failure": type(error).__name__}
        _finish(batch, BatchStatus.FAILED, None, None)
    finally:
        if staged is not None:
            staged.close()
    return batch


def import_file(
    *,
    actor: User | None,
    service: Service,
    kind: str,
    path: Path,
    file_name: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    method: str | None = None,
) -> ImportBatch:
    """Record and run an import in one go (the command, the demo and the tests)."""
    batch = batch_create(
        actor=actor,
        service=service,
        kind=kind,
        path=path,
        file_name=file_name or path.name,
        dry_run=dry_run,
    )
    return batch_run(batch, path, progress=progress, method=method)
