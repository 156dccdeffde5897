"""The background task that runs an import uploaded on the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django_tasks import task

from pathways.core import leases
from pathways.imports.models import BatchStatus, ImportBatch
from pathways.imports.services import Progress, _finish, batch_run

LEASE = "imports.batch"
# Said in the batch's report when its worker died part way (no row was saved: the save
# pass is one transaction, which the database rolled back when the worker's connection went).
WORKER_STOPPED = "The import stopped when the process running it did: nothing changed."


@task()
@leases.leased(LEASE, "batch_id", keep=("path",))
def run_import(batch_id: int, path: str) -> None:
    """Run the import; the uploaded copy of the file is removed afterwards, whatever
    happened (the batch keeps its name and checksum). Under a lease: if the worker dies,
    the reaper fails the batch and removes the file (``batch_abandoned``)."""
    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        batch_run(batch, Path(path), progress=saving_progress(batch_id))
    finally:
        Path(path).unlink(missing_ok=True)


def saving_progress(batch_id: int) -> Progress:
    """Progress through both passes, written by the lease's heartbeat on its own
    connection, so that it shows while the import's connection is busy: the save pass runs
    in one transaction, and on PostgreSQL the check pass streams the file through one COPY
    (the streaming path's check pass also saves its own progress as it goes; the heartbeat
    never moves it back)."""
    latest: dict[str, int] = {}

    def note(phase: str, done: int, total: int) -> None:
        if phase in ("Checking", "Saving"):
            latest[phase] = done

    def beat() -> None:
        for phase, status in (("Checking", BatchStatus.CHECKING), ("Saving", BatchStatus.SAVING)):
            if phase in latest:
                ImportBatch.objects.filter(
                    pk=batch_id, status=status, rows_processed__lt=latest[phase]
                ).update(rows_processed=latest[phase])

    lease = leases.current()
    if lease is not None:
        lease.beat = beat
    return note


@leases.on_abandoned(LEASE)
def batch_abandoned(batch_id: int, data: dict[str, Any]) -> None:
    """The worker running this import died: the batch fails (audited, as any failure) and
    the uploaded extract is deleted."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is not None and batch.running:
            batch.report = {**(batch.report or {}), "failure": WORKER_STOPPED}
            _finish(batch, BatchStatus.FAILED, None, None)
    if data.get("path"):
        Path(str(data["path"])).unlink(missing_ok=True)
