"""An import whose worker died is failed within minutes and its upload deleted (its lease
lapses: pathways/core/leases.py); an import's progress moves through both passes."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core import leases
from pathways.core.models import AuditEvent, TaskLease
from pathways.imports.models import BatchStatus, ImportBatch, Kind
from pathways.imports.services import batch_create
from pathways.imports.tasks import LEASE, WORKER_STOPPED, run_import, saving_progress
from pathways.imports.tests.helpers import ORDERS_HEADER, csv_file

pytestmark = pytest.mark.usefixtures("people")

ORDERS = f"""{ORDERS_HEADER}
A000001,community order,2023-01-10,2024-01-09,2023-12-20,completed
A000002,Licence,15/02/2023,,,
"""


def _uploaded(tmp_path: Path, service: Service, manager: User) -> tuple[ImportBatch, Path]:
    path = csv_file(tmp_path, ORDERS, name="upload.csv")
    batch = batch_create(
        actor=manager, service=service, kind=Kind.ORDERS, path=path, file_name="orders.csv"
    )
    return batch, path


def _worker_died_saving(batch: ImportBatch, path: Path) -> None:
    """What a killed worker leaves: the batch part way, its lease held, the file on disk."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.SAVING)
    now = timezone.now()
    TaskLease.objects.create(
        kind=LEASE,
        object_id=batch.pk,
        data={"path": str(path)},
        started_at=now,
        expires_at=now + datetime.timedelta(seconds=leases.LEASE_SECONDS),
    )


def test_an_import_whose_worker_died_fails_within_minutes_and_its_upload_goes(
    tmp_path: Path, service: Service, manager: User
) -> None:
    batch, path = _uploaded(tmp_path, service, manager)
    _worker_died_saving(batch, path)
    # Still within its lease: the worker may be alive and slow; nothing is touched.
    assert leases.reap() == 0
    assert path.exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert leases.reap() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.finished_at is not None
    assert batch.report["failure"] == WORKER_STOPPED
    assert not path.exists()
    assert not TaskLease.objects.exists()
    assert AuditEvent.objects.filter(action="import.failed", object_id=str(batch.pk)).count() == 1
    # A second reaper finds nothing left to do.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
        assert leases.reap() == 0


def test_a_finished_import_is_not_failed_by_a_late_reaper(
    tmp_path: Path, service: Service, manager: User
) -> None:
    batch, path = _uploaded(tmp_path, service, manager)
    _worker_died_saving(batch, path)
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert leases.reap() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert not path.exists()


def test_the_task_holds_a_lease_while_it_runs_and_gives_it_up(
    tmp_path: Path, service: Service, manager: User
) -> None:
    batch, path = _uploaded(tmp_path, service, manager)
    seen: list[tuple[str, int, dict[str, object]]] = []
    original = ImportBatch.objects.get

    def looking(*args: object, **kwargs: object) -> ImportBatch:
        seen.extend(TaskLease.objects.values_list("kind", "object_id", "data"))
        return original(*args, **kwargs)

    ImportBatch.objects.get = looking  # type: ignore[method-assign]
    try:
        result = run_import.enqueue(batch_id=batch.pk, path=str(path))
    finally:
        del ImportBatch.objects.get
    [(kind, object_id, data)] = seen
    assert (kind, object_id, data["path"]) == (LEASE, batch.pk, str(path))
    # The queue's own record of the running task, for the reaper to fail if the worker dies.
    assert data["task_result"] == str(result.id)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, batch.report
    assert not TaskLease.objects.exists()
    assert not path.exists()


def test_progress_moves_through_the_save_pass(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """The save pass is one transaction, so its progress is written by the lease's
    heartbeat on its own connection; here the beat is called as the heartbeat would."""
    batch, path = _uploaded(tmp_path, service, manager)
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.SAVING, total_rows=2)
    with leases.held(LEASE, batch.pk, data={"path": str(path)}) as lease:
        note = saving_progress(batch.pk)
        note("Checking", 2, 2)
        lease.renew()
        assert ImportBatch.objects.get(pk=batch.pk).rows_processed == 0
        note("Saving", 1, 2)
        lease.renew()
        assert ImportBatch.objects.get(pk=batch.pk).rows_processed == 1


def test_progress_moves_through_the_check_pass(
    tmp_path: Path, service: Service, manager: User
) -> None:
    """On PostgreSQL the check pass streams the file through one COPY, which holds the
    import's connection: its progress too is written by the heartbeat, and never back."""
    batch, path = _uploaded(tmp_path, service, manager)
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.CHECKING, total_rows=4)
    with leases.held(LEASE, batch.pk, data={"path": str(path)}) as lease:
        note = saving_progress(batch.pk)
        note("Checking", 2, 4)
        lease.renew()
        assert ImportBatch.objects.get(pk=batch.pk).rows_processed == 2
        ImportBatch.objects.filter(pk=batch.pk).update(rows_processed=3)  # saved by the pass
        lease.renew()
        assert ImportBatch.objects.get(pk=batch.pk).rows_processed == 3
        note("Saving", 1, 4)  # not yet saving: the check pass's count stays
        lease.renew()
        assert ImportBatch.objects.get(pk=batch.pk).rows_processed == 3


@pytest.mark.parametrize("method", ["stream", "copy"])
def test_both_passes_report_progress_on_either_path(
    tmp_path: Path, service: Service, manager: User, method: str
) -> None:
    from pathways.imports import copying
    from pathways.imports.services import import_file

    if method == "copy" and not copying.available():
        pytest.skip("the COPY path runs on PostgreSQL (set DATABASE_URL)")
    seen: list[tuple[str, int]] = []
    batch = import_file(
        actor=manager,
        service=service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, ORDERS),
        progress=lambda phase, done, total: seen.append((phase, done)),
        method=method,
    )
    assert batch.status == BatchStatus.DONE, batch.report
    checking = [done for phase, done in seen if phase == "Checking"]
    saving = [done for phase, done in seen if phase == "Saving"]
    assert checking and checking[-1] == 2 and checking == sorted(checking)
    assert saving and saving[-1] >= 1
