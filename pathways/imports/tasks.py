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
    """Progress through the save pass, which runs in one transaction: the rows done are
    written by the lease's heartbeat, on its own connection, so they show while the
    transaction is open (the check pass saves its own progress as it goes)."""
    latest: dict[str, int] = {}

    def note(phase: str, done: int, total: int) -> None:
        if phase == "Saving":
            latest["done"] = done

    def beat() -> None:
        if "done" in latest:
            ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.SAVING).update(
                rows_processed=latest["done"]
            )

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
