"""Tasks wait while Redis is away: the RQ backend with the database as its fallback.

With ``REDIS_URL`` set, tasks go to Redis (django-tasks-rq). If Redis cannot be reached
when a task is enqueued (stopped, restarting, cut off), the task is kept as a row of the
database instead (the ``fallback`` backend: django-tasks-db), the page that asked for it
works as usual, and the scheduler's ``move_waiting_to_redis`` job (each minute) hands the
kept tasks to Redis once it answers again, oldest first. A task is deleted from the
database only after Redis has it, so none is lost (one moved twice, if the scheduler dies
between the two steps, runs twice: the tasks are safe to run again).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django_tasks import task_backends
from django_tasks.base import Task, TaskResult
from django_tasks_rq import RQBackend
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FALLBACK = "fallback"
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class RQWithFallbackBackend(RQBackend):
    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        try:
            return super().enqueue(task, args, kwargs)
        except REDIS_DOWN:
            logger.warning("Redis cannot be reached: task %s kept in the database", task.name)
            return task.using(backend=FALLBACK).enqueue(*args, **kwargs)


def move_waiting_to_redis() -> int:
    """Hand every task kept in the database to Redis, oldest first; stop at the first that
    Redis refuses (it is still away). Returns how many moved."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    moved = 0
    while True:
        with transaction.atomic():
            row = (
                DBTaskResult.objects.filter(backend_name=FALLBACK, status=TaskResultStatus.READY)
                .order_by("enqueued_at")
                .select_for_update(skip_locked=connection.vendor != "sqlite")
                .first()
            )
            if row is None:
                return moved
            backend = task_backends["default"]
            assert isinstance(backend, RQBackend)
            task = row.task.using(backend="default")
            try:
                # Straight to Redis: not through the fallback, which would keep it here again.
                RQBackend.enqueue(backend, task, row.args_kwargs["args"], row.args_kwargs["kwargs"])
            except REDIS_DOWN:
                return moved
            row.delete()
            moved += 1
