"""Leases: how a task whose worker died is noticed and cleaned up.

A background task that works on a record (an import, a report) holds a lease on it while it
runs (:func:`held`): a ``TaskLease`` row, committed before the work starts, which a thread
of the worker renews every ``HEARTBEAT_SECONDS`` on its own database connection (so it is
seen while the task's own transaction is still open). When the task ends, however it ends,
the lease goes. A worker killed part way (out of memory, a deploy, a lost machine) stops
renewing it; after ``LEASE_SECONDS`` the reaper (:func:`reap`, a scheduler job each minute)
calls the handler that the record's app registered for that kind (:func:`on_abandoned`),
which marks the record failed and deletes what the task left (an uploaded extract), then
drops the lease. The handler runs in one transaction with the lease's deletion, so a
reaper that dies part way leaves the lease for the next run.

The same thread can write a task's progress outside its transaction (``Lease.beat``), so
progress moves while a long transaction is open (an import's save pass).

The lease also notes the queue's own record of the task (django-tasks' result id, from its
``task_started`` signal). On the database queue that row would read "running" for ever
after its worker died, since no worker claims a running task again; the reaper marks it
failed with the record. (RQ notices its own dead workers and moves their jobs to its failed
registry.)
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, connection, transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished, task_started

from pathways.core.logs import new_id, request_id
from pathways.core.models import TaskLease

logger = logging.getLogger(__name__)

# A lease not renewed for this long is abandoned: its worker is taken to have died.
LEASE_SECONDS = 120
# How often a live worker renews its lease (and writes progress): well inside the lease.
HEARTBEAT_SECONDS = 10

# What the reaper writes on the queue's row of a task whose worker died.
WORKER_DIED = "The worker running this task stopped (its lease lapsed): the task was failed."


class WorkerDied(Exception):
    """The failure recorded on the queue's row of a task whose worker died."""


Handler = Callable[[int, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
P = ParamSpec("P")
R = TypeVar("R")


def on_abandoned(kind: str) -> Callable[[Handler], Handler]:
    """Register what to do with a record whose task's worker died: ``handler(object_id,
    data)``, called in a transaction; it must be idempotent (the record may have finished
    after all, or been cleaned before)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


class Lease:
    """A held lease: ``beat`` is called from the heartbeat thread at each renewal, on that
    thread's own connection (set it to write progress outside the task's transaction)."""

    def __init__(self, row: TaskLease) -> None:
        self.row = row
        self.beat: Callable[[], None] | None = None
        self._stop = threading.Event()

    def renew(self) -> None:
        TaskLease.objects.filter(pk=self.row.pk).update(expires_at=_expiry(timezone.now()))
        if self.beat is not None:
            self.beat()

    def _heartbeat(self, interval: float) -> None:
        try:
            while not self._stop.wait(interval):
                try:
                    self.renew()
                except DatabaseError:
                    # The database is busy (SQLite's write lock) or gone for a moment:
                    # try again at the next beat; the lease lasts several beats.
                    logger.warning("Lease %s not renewed this time", self.row.pk)
        finally:
            connection.close()


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=LEASE_SECONDS)


@contextmanager
def held(
    kind: str, object_id: int, *, data: dict[str, Any] | None = None, heartbeat: float | None = None
) -> Iterator[Lease]:
    """Hold a lease on ``kind``/``object_id`` while the block runs (see the module)."""
    now = timezone.now()
    data = {**(data or {}), "task_result": _task_result.get()}
    with transaction.atomic():
        row, _ = TaskLease.objects.update_or_create(
            kind=kind,
            object_id=object_id,
            defaults={"data": data, "started_at": now, "expires_at": _expiry(now)},
        )
    lease = Lease(row)
    token = request_id.set(request_id.get() or new_id())
    current_token = _current.set(lease)
    thread = threading.Thread(
        target=lease._heartbeat,
        args=(HEARTBEAT_SECONDS if heartbeat is None else heartbeat,),
        name=f"lease-{kind}-{object_id}",
        daemon=True,
    )
    thread.start()
    try:
        yield lease
    finally:
        lease._stop.set()
        thread.join()
        request_id.reset(token)
        _current.reset(current_token)
        TaskLease.objects.filter(pk=row.pk).delete()


_current: contextvars.ContextVar[Lease | None] = contextvars.ContextVar("lease", default=None)
# The queue's id of the task running in this context (None outside a task).
_task_result: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "task_result", default=None
)


@receiver(task_started)
def _task_started(sender: object, task_result: Any, **kwargs: Any) -> None:
    _task_result.set(str(task_result.id))


@receiver(task_finished)
def _task_finished(sender: object, task_result: Any, **kwargs: Any) -> None:
    _task_result.set(None)


def current() -> Lease | None:
    """The lease the running task holds (None outside :func:`leased` and :func:`held`)."""
    return _current.get()


def leased(
    kind: str, id_argument: str, *, keep: tuple[str, ...] = ()
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run a task function under a lease on the record named by its ``id_argument``,
    keeping the arguments named in ``keep`` for the handler (put it under ``@task()``)."""

    def wrap(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs).arguments
            with held(kind, int(bound[id_argument]), data={k: bound[k] for k in keep}):
                return function(*args, **kwargs)

        return run

    return wrap


def reap(now: datetime.datetime | None = None) -> int:
    """Clean up after every task whose lease lapsed; return how many."""
    now = now or timezone.now()
    reaped = 0
    for pk in TaskLease.objects.filter(expires_at__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            lease = (
                TaskLease.objects.select_for_update(skip_locked=connection.vendor != "sqlite")
                .filter(pk=pk, expires_at__lt=now)
                .first()
            )
            if lease is None:  # renewed, finished, or taken by another reaper meanwhile
                continue
            handler = HANDLERS.get(lease.kind)
            if handler is None:
                logger.error("No handler for abandoned %s %s", lease.kind, lease.object_id)
            else:
                handler(lease.object_id, lease.data)
                logger.warning("Abandoned %s %s cleaned up", lease.kind, lease.object_id)
            _fail_queued_task(lease.data.get("task_result"), now)
            lease.delete()
            reaped += 1
    return reaped


def _fail_queued_task(task_result_id: str | None, now: datetime.datetime) -> None:
    """Mark the database queue's row of a dead worker's task failed (see the module)."""
    from django_tasks_db.models import DBTaskResult  # the app's models load after this module

    if task_result_id:
        DBTaskResult.objects.filter(id=task_result_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
            traceback=WORKER_DIED,
        )
