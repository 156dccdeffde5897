"""Readiness: can this process serve, and is background work moving? (``/readyz``).

``/healthz`` (liveness) asks the database one trivial question and nothing else, cheap
enough for a proxy to call every few seconds. ``/readyz`` also asks Redis (when
``REDIS_URL`` is set) and the task queue for the age of its oldest waiting task, so a
stuck or missing worker shows. It reports states, ages and counts only: no record, no
person, no address of a server.

Not ready (503) means the database cannot be used: no page can work. Redis down is
reported as ``degraded`` with 200: pages still work and tasks wait, so taking every web
process out of service for it would turn a delay into an outage (docs/operations.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

REDIS_TIMEOUT_SECONDS = 1.0


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        return False
    return True


def redis_state() -> str:
    """``ok``, ``unavailable``, or ``not configured`` (no REDIS_URL: no Redis is needed)."""
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        client.ping()
        client.close()
    except Exception:  # noqa: BLE001 - any failure means Redis is not usable
        return "unavailable"
    return "ok"


def _backend() -> str:
    path = str(settings.TASKS["default"]["BACKEND"])
    if path.endswith(("RQBackend", "RQWithFallbackBackend")):
        return "rq"
    if path.startswith("django_tasks_db"):
        return "database"
    return "immediate"


def _database_waiting(now: datetime.datetime, *, backend_name: str) -> tuple[int, float | None]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name=backend_name)
    count = waiting.count()
    first = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return count, (now - first).total_seconds() if first else None


def oldest_waiting(now: datetime.datetime) -> tuple[int, float | None]:
    """How many tasks wait to start, and the age in seconds of the oldest (None: none)."""
    backend = _backend()
    if backend == "database":
        return _database_waiting(now, backend_name="default")
    if backend == "rq":
        import django_rq
        from rq.job import Job

        queue = django_rq.get_queue("default")
        count = queue.count
        ids = queue.get_job_ids(0, 0)
        job = Job.fetch(ids[0], connection=queue.connection) if ids else None
        enqueued = job.enqueued_at if job is not None else None
        if enqueued is not None and enqueued.tzinfo is None:
            enqueued = enqueued.replace(tzinfo=datetime.UTC)
        # Tasks kept in the database while Redis was away wait too (core/queue.py).
        kept_count, kept_age = _database_waiting(now, backend_name="fallback")
        ages = [
            age
            for age in (kept_age, (now - enqueued).total_seconds() if enqueued else None)
            if age is not None
        ]
        return count + kept_count, max(ages) if ages else None
    return 0, None


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, what to say). Ready is the database alone; the rest is reported."""
    database = database_ok()
    redis = redis_state()
    queue: dict[str, Any] = {"backend": _backend()}
    if database and (queue["backend"] != "rq" or redis == "ok"):
        try:
            waiting, age = oldest_waiting(timezone.now())
            queue["waiting"] = waiting
            queue["oldest_waiting_seconds"] = None if age is None else round(age, 1)
        except Exception:  # noqa: BLE001 - the queue could not be read: say so
            queue["state"] = "unavailable"
    else:
        queue["state"] = "unavailable"
    if not database:
        status = "unavailable"
    elif redis == "unavailable" or queue.get("state") == "unavailable":
        status = "degraded"
    else:
        status = "ok"
    return database, {
        "status": status,
        "database": "ok" if database else "unavailable",
        "redis": redis,
        "queue": queue,
    }
