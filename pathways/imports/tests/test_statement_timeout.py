"""On the COPY path (PostgreSQL) the time limit holds within a statement: each runs with
``statement_timeout`` set to the time left (copying.CopyImport._limited), so a statement
that would overrun the deadline is cancelled by the server, and the import ends "too
large", changing nothing, as when the deadline passes between statements. A statement
cancelled for another reason is a failure, not "too large"."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from pathways.accounts.models import Service, User
from pathways.imports import copying, limits
from pathways.imports.models import BatchStatus, ImportBatch, Kind
from pathways.imports.services import import_file
from pathways.imports.tests.helpers import ORDERS_HEADER, csv_file
from pathways.outcomes.models import Order

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("people")]

LIMIT_SECONDS = 2
SLEEP_SECONDS = 30  # far past the limit: only a cancellation ends it in time
SLEEP = f"SELECT pg_sleep({SLEEP_SECONDS})"
ORDERS = connection.ops.quote_name(Order._meta.db_table)
ROWS = "A000001,licence,2023-05-01,,,\nA000002,licence,2023-05-01,,,"


@pytest.fixture(autouse=True)
def _postgres_only(monkeypatch: pytest.MonkeyPatch) -> None:
    if not copying.available():
        pytest.skip("the COPY path and its statement_timeout need PostgreSQL (DATABASE_URL)")
    monkeypatch.setattr(limits, "IMPORT_SECONDS", LIMIT_SECONDS)


def _sleep_before(
    monkeypatch: pytest.MonkeyPatch, starts: str, *, nth: int = 1, sleep: str = SLEEP
) -> None:
    """Run a long statement through the import's own runner just before the ``nth``
    statement that starts with ``starts``."""
    original = copying.CopyImport._run
    seen: list[str] = []

    def run(self: copying.CopyImport, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        if sql.lstrip().startswith(starts):
            seen.append(sql)
            if len(seen) == nth:
                original(self, sleep)
        return original(self, sql, params)

    monkeypatch.setattr(copying.CopyImport, "_run", run)


def _import(
    tmp_path: Path, service: Service, manager: User, progress: Any = None
) -> tuple[ImportBatch, float]:
    started = time.monotonic()
    batch = import_file(
        actor=manager,
        service=service,
        kind=Kind.ORDERS,
        path=csv_file(tmp_path, f"{ORDERS_HEADER}\n{ROWS}"),
        method="copy",
        progress=progress,
    )
    return batch, time.monotonic() - started


def _too_large(batch: ImportBatch) -> None:
    assert batch.status == BatchStatus.TOO_LARGE
    [error] = batch.report["errors"]
    assert f"took longer than {LIMIT_SECONDS / 60:g} minutes" in error["expected"]


def _work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return str(cursor.fetchone()[0])


@pytest.mark.parametrize(
    ("starts", "nth"),
    [
        pytest.param("CREATE TEMP TABLE import_checked", 1, id="check"),
        # The second merge chunk's insert: the first chunk's row was written by then.
        pytest.param(f"INSERT INTO {ORDERS}", 2, id="merge"),
    ],
)
def test_a_statement_past_the_deadline_is_cancelled_and_nothing_changes(
    tmp_path: Path,
    service: Service,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
    starts: str,
    nth: int,
) -> None:
    monkeypatch.setattr(copying, "MERGE_ROWS", 1)
    _sleep_before(monkeypatch, starts, nth=nth)
    written: list[int] = []

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "Saving":
            written.append(Order.objects.count())

    before, work_mem = Order.objects.count(), _work_mem()
    batch, took = _import(tmp_path, service, manager, progress)
    _too_large(batch)
    assert took < SLEEP_SECONDS / 2  # the server cancelled the sleep at the deadline
    assert Order.objects.count() == before
    assert written == ([before + 1] if nth == 2 else [])  # written, then rolled back
    assert _work_mem() == work_mem  # the import's session setting was reset


def test_the_commit_is_held_to_the_deadline_too(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What runs in the import's transaction after the last merge statement (its record,
    the commit) runs under the time left: cancelled there, it is "too large" as well."""
    original = copying.CopyImport.apply

    def apply(self: copying.CopyImport, counts: Any, *, write: bool) -> None:
        original(self, counts, write=write)
        if write:  # after the merge, where the batch's record and the commit come
            with connection.cursor() as cursor:
                cursor.execute(SLEEP)

    monkeypatch.setattr(copying.CopyImport, "apply", apply)
    before = Order.objects.count()
    batch, took = _import(tmp_path, service, manager)
    _too_large(batch)
    assert took < SLEEP_SECONDS / 2
    assert Order.objects.count() == before


def test_a_statement_cancelled_for_another_reason_is_a_failure_not_too_large(
    tmp_path: Path, service: Service, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled long before the deadline (as by an administrator's pg_cancel_backend, from
    another session): the import failed; it was not too large."""
    monkeypatch.setattr(limits, "IMPORT_SECONDS", 20 * 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [(pid,)] = cursor.fetchall()
    params = connection.get_connection_params()

    def cancel() -> None:
        with psycopg.connect(**params, autocommit=True) as other:
            for _ in range(200):  # once the import's session is in the sleep
                asleep = other.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND state = 'active' "
                    "AND query LIKE %s",
                    [pid, "%pg_sleep%"],
                ).fetchone()
                if asleep:
                    other.execute("SELECT pg_cancel_backend(%s)", [pid])
                    return
                time.sleep(0.1)

    canceller = threading.Thread(target=cancel)
    _sleep_before(monkeypatch, "CREATE TEMP TABLE import_checked")
    canceller.start()
    try:
        batch, took = _import(tmp_path, service, manager)
    finally:
        canceller.join()
    assert batch.status == BatchStatus.FAILED
    assert batch.report["failure"] == "OperationalError"
    assert took < SLEEP_SECONDS / 2
