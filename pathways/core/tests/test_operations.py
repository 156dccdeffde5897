"""The production stack's own rules (docs/operations.md): the readiness check, the
scheduler's lock, JSON log lines with a request id, `make serve`'s refusals, leases, and
workers that carry on after the database connection is cut."""

from __future__ import annotations

import datetime
import functools
import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult

from pathways.core import leases, scheduler
from pathways.core.logs import HEADER, JsonFormatter
from pathways.core.management.commands.run_scheduler import Command as SchedulerCommand
from pathways.core.models import ScheduledJob, TaskLease

ROOT = Path(settings.BASE_DIR)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HOUR = datetime.timedelta(hours=1)


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Readiness -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_reports_the_database_redis_and_the_queue(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "queue": {"backend": "immediate", "waiting": 0, "oldest_waiting_seconds": None},
    }


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("pathways.core.health.connection.cursor", side_effect=OperationalError):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
    assert body["queue"]["state"] == "unavailable"


@pytest.mark.django_db
def test_readyz_gives_the_age_of_the_oldest_waiting_task(client: Client) -> None:
    from pathways.data_protection.retention import purge_expired_records

    start = timezone.now()
    with override_settings(TASKS=DATABASE_TASKS):
        with time_machine.travel(start, tick=False):
            purge_expired_records.enqueue()
        with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
            purge_expired_records.enqueue()
        with time_machine.travel(start + datetime.timedelta(seconds=90), tick=False):
            response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["queue"] == {
        "backend": "database",
        "waiting": 2,
        "oldest_waiting_seconds": 90.0,
    }


@pytest.mark.django_db
def test_readyz_says_redis_is_down_but_pages_still_serve(client: Client) -> None:
    """Redis down: tasks wait, pages work; reported as degraded, not taken out of service."""
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["redis"] == "unavailable"


@pytest.mark.django_db
def test_healthz_stays_one_database_question(
    client: Client, django_assert_num_queries: object
) -> None:
    with (
        mock.patch("pathways.core.health.redis_state") as redis,
        django_assert_num_queries(1),  # type: ignore[operator]
    ):
        response = client.get("/healthz")
    assert response.status_code == 200 and not redis.called


# The scheduler ---------------------------------------------------------------------------


@pytest.fixture
def jobs() -> Iterator[dict[str, scheduler.Job]]:
    saved = dict(scheduler.JOBS)
    scheduler.JOBS.clear()
    try:
        yield scheduler.JOBS
    finally:
        scheduler.JOBS.clear()
        scheduler.JOBS.update(saved)


@pytest.mark.django_db
def test_every_periodic_job_is_registered(client: Client) -> None:
    assert {"audit_anchor", "reap_abandoned_tasks", "purge_expired"} <= set(scheduler.JOBS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("schedulers", [2, 3])
def test_two_schedulers_at_once_run_a_job_once(
    jobs: dict[str, scheduler.Job], schedulers: int
) -> None:
    runs: list[str] = []
    errors: list[BaseException] = []
    for name in ("first", "second", "third"):
        scheduler.register(name, functools.partial(runs.append, name), every=HOUR)
    started = threading.Barrier(schedulers)

    def one_scheduler() -> None:
        from django.db import connection

        try:
            started.wait()
            scheduler.run_due()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(runs) == ["first", "second", "third"]
    assert ScheduledJob.objects.filter(last_run_at__isnull=False).count() == 3


@pytest.mark.django_db
def test_a_job_runs_again_only_when_it_is_due(jobs: dict[str, scheduler.Job]) -> None:
    runs: list[datetime.datetime] = []
    scheduler.register(
        "hourly", lambda: runs.append(timezone.now()), every=datetime.timedelta(hours=1)
    )
    start = timezone.now()
    assert scheduler.run_due(start) == ["hourly"]
    assert scheduler.run_due(start) == []
    assert scheduler.run_due(start + datetime.timedelta(minutes=59)) == []
    assert scheduler.run_due(start + datetime.timedelta(minutes=60)) == ["hourly"]
    assert len(runs) == 2


@pytest.mark.django_db
def test_a_daily_job_runs_once_a_day_after_its_time(jobs: dict[str, scheduler.Job]) -> None:
    scheduler.register("nightly", lambda: None, at=datetime.time(2, 0))
    day = timezone.make_aware(datetime.datetime(2026, 3, 10, 1, 59))
    assert scheduler.run_due(day) == []
    assert scheduler.run_due(day + datetime.timedelta(minutes=1)) == ["nightly"]
    assert scheduler.run_due(day + datetime.timedelta(hours=20)) == []
    assert scheduler.run_due(day + datetime.timedelta(hours=24, minutes=1)) == ["nightly"]


@pytest.mark.django_db
def test_a_failing_job_is_logged_and_the_others_still_run(
    jobs: dict[str, scheduler.Job], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    scheduler.register("broken", broken)
    scheduler.register("fine", lambda: None)
    assert scheduler.run_due() == ["fine"]
    assert "Scheduled job broken failed" in caplog.text


@pytest.mark.django_db
def test_the_scheduler_carries_on_when_the_database_is_cut(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with mock.patch.object(scheduler, "run_due", side_effect=OperationalError("gone")):
        SchedulerCommand()._run()  # does not raise: the loop goes on
    assert "could not run its jobs" in caplog.text


def test_database_connections_are_health_checked_in_production() -> None:
    """A kept PostgreSQL connection that the server dropped is replaced on next use, by the
    web and by the database worker (whose loop calls close_old_connections)."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DEBUG", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings as s; d = s.DATABASES['default'];"
            "print(d['CONN_HEALTH_CHECKS'], d['CONN_MAX_AGE'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["True", "60"]


# Leases ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lease_is_renewed_by_its_worker_and_given_up_at_the_end() -> None:
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False),
        leases.held("test.kind", 7, heartbeat=3600) as lease,
    ):
        first = TaskLease.objects.get(kind="test.kind", object_id=7).expires_at
        assert first == start + datetime.timedelta(seconds=leases.LEASE_SECONDS)
        with time_machine.travel(start + datetime.timedelta(seconds=60), tick=False):
            lease.renew()
            # Renewed: still alive after the first expiry would have passed.
            assert leases.reap(first + datetime.timedelta(seconds=1)) == 0
    assert not TaskLease.objects.exists()


@pytest.mark.django_db
def test_a_lease_is_given_up_when_the_task_fails() -> None:
    @leases.leased("test.kind", "record_id")
    def failing(record_id: int) -> None:
        assert TaskLease.objects.filter(object_id=record_id).exists()
        raise ValueError("failed")

    with pytest.raises(ValueError):
        failing(record_id=3)
    assert not TaskLease.objects.exists()


@pytest.mark.django_db
def test_an_abandoned_lease_without_a_handler_is_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = timezone.now()
    TaskLease.objects.create(kind="nobody.handles", object_id=1, started_at=now, expires_at=now)
    assert leases.reap(now + datetime.timedelta(seconds=1)) == 1
    assert "No handler for abandoned nobody.handles 1" in caplog.text


@task()
def record_task(record_id: int) -> None:
    """A task on the database queue, for the test below (a worker never runs it)."""


@pytest.mark.django_db
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_queue_row_of_a_task_whose_worker_died_is_marked_failed() -> None:
    row = DBTaskResult.objects.get(id=record_task.enqueue(record_id=5).id)
    row.claim("worker-1")
    # The worker starts the task, which takes its lease: the lease notes the queue's row.
    task_started.send(sender=object, task_result=row.task_result)
    with leases.held("test.kind", 5, heartbeat=3600):
        noted = TaskLease.objects.get(kind="test.kind", object_id=5).data
    task_finished.send(sender=object, task_result=row.task_result)
    assert noted["task_result"] == str(row.id)
    with leases.held("test.kind", 6, heartbeat=3600):  # outside any task: no queue row
        assert TaskLease.objects.get(kind="test.kind", object_id=6).data["task_result"] is None
    # The worker is killed with the lease held: the reaper fails the queue's row with it.
    now = timezone.now()
    TaskLease.objects.create(
        kind="test.kind", object_id=5, data=noted, started_at=now, expires_at=now
    )
    assert leases.reap(now + datetime.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.traceback == leases.WORKER_DIED
    assert row.task_result.errors[0].exception_class is leases.WorkerDied


# Logs ------------------------------------------------------------------------------------


class JsonCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines() -> Iterator[JsonCapture]:
    capture = JsonCapture()
    logger = logging.getLogger("django.request")
    logger.addHandler(capture)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)


@pytest.mark.django_db
def test_log_lines_are_json_with_the_request_id_and_no_query(
    client: Client, json_lines: JsonCapture
) -> None:
    response = client.get("/no-such-page/?name=Qwzcanaryxv")
    assert response.status_code == 404
    rid = response[HEADER]
    assert len(rid) == 32
    [line] = json_lines.lines
    record = json.loads(line)
    assert record["request_id"] == rid
    assert record["level"] == "WARNING" and record["logger"] == "django.request"
    assert "Qwzcanaryxv" not in line


@pytest.mark.django_db
def test_a_request_id_from_the_proxy_is_kept_only_when_well_formed(client: Client) -> None:
    kept = client.get("/healthz", headers={HEADER: "abc-123-def-456"})
    assert kept[HEADER] == "abc-123-def-456"
    replaced = client.get("/healthz", headers={HEADER: "Jane Smith 01/02/1990"})
    assert replaced[HEADER] != "Jane Smith 01/02/1990" and len(replaced[HEADER]) == 32


def test_a_json_line_of_an_error_names_the_exception() -> None:
    try:
        raise KeyError("k")
    except KeyError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "Task %s failed", (5,), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Task 5 failed" and line["exception"] == "KeyError"
    assert "request_id" not in line  # outside a request or task: none


def test_the_access_log_has_no_query_string_client_address_or_user() -> None:
    config = _load(ROOT / "config" / "gunicorn.py", "gunicorn_config_under_test")
    fmt = config.access_log_format
    assert "%(U)s" in fmt and "%({x-request-id}o)s" in fmt
    for leaky in ("%(r)s", "%(q)s", "%(h)s", "%(u)s", "%(f)s", "%(a)s", "%({"):
        if leaky == "%({":
            assert fmt.count("%({") == 1  # the request id only: no other header
        else:
            assert leaky not in fmt
    sample = fmt % {
        "t": "[01/Dec/2026:10:00:00 +0000]",
        "m": "GET",
        "U": "/healthz",
        "s": "200",
        "B": "10",
        "M": "3",
        "{x-request-id}o": "abc",
    }
    assert json.loads(sample)["path"] == "/healthz"


# make serve ------------------------------------------------------------------------------


@pytest.fixture
def serve() -> ModuleType:
    return _load(ROOT / "scripts" / "serve.py", "serve_under_test")


GOOD = {
    "SECRET_KEY": "a-long-random-value",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pathways",
}


def test_serve_starts_with_a_secret_key_and_no_debug(serve: ModuleType) -> None:
    assert serve.refusals(serve.environment(GOOD)) == []
    assert serve.refusals(serve.environment({**GOOD, "DEBUG": "false"})) == []


@pytest.mark.parametrize("debug", ["true", "1", "on", "True"])
def test_serve_refuses_debug(serve: ModuleType, debug: str) -> None:
    [refusal] = serve.refusals(serve.environment({**GOOD, "DEBUG": debug}))
    assert refusal.startswith("DEBUG is on")


@pytest.mark.parametrize("key", [None, "", "   "])
def test_serve_refuses_to_start_without_a_secret_key(serve: ModuleType, key: str | None) -> None:
    env = {"DATABASE_URL": GOOD["DATABASE_URL"]} | ({} if key is None else {"SECRET_KEY": key})
    [refusal] = serve.refusals(serve.environment(env))
    assert refusal.startswith("SECRET_KEY is not set")


def test_serve_says_each_refusal_and_starts_nothing(
    serve: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "environ", {"DEBUG": "true"})
    monkeypatch.setattr(serve, "prepare", mock.Mock(side_effect=AssertionError("started")))
    monkeypatch.setattr(serve.subprocess, "Popen", mock.Mock(side_effect=AssertionError))
    assert serve.main() == 2
    err = capsys.readouterr().err
    assert "make serve refuses to start: DEBUG is on" in err
    assert "make serve refuses to start: SECRET_KEY is not set" in err


def test_serve_defaults_to_the_local_postgresql_and_redis(serve: ModuleType) -> None:
    env = serve.environment({"SECRET_KEY": "k"})
    assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
    assert env["PORT"] == "8000"
    overridden = serve.environment({"SECRET_KEY": "k", "PORT": "8765", "REDIS_URL": "redis://x"})
    assert (overridden["PORT"], overridden["REDIS_URL"]) == ("8765", "redis://x")
    commands = serve.commands(env)
    assert set(commands) == {"web", "worker", "scheduler"}
    assert "django_tasks_rq.Job" in commands["worker"]
    assert "db_worker" in serve.commands({**env, "TASKS_BACKEND": "database"})["worker"]


# Redis away: tasks wait in the database ----------------------------------------------------

RQ_WITH_FALLBACK = {
    "default": {"BACKEND": "pathways.core.queue.RQWithFallbackBackend"},
    "fallback": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


@pytest.mark.django_db
def test_a_task_asked_for_while_redis_is_away_waits_in_the_database_then_goes_to_redis() -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    from django_tasks_rq import RQBackend
    from redis.exceptions import ConnectionError as RedisConnectionError

    from pathways.core import queue
    from pathways.data_protection.retention import purge_expired_records

    with override_settings(TASKS=RQ_WITH_FALLBACK):
        # Redis refuses (stopped): the request that asked still works; the task is kept.
        with mock.patch.object(RQBackend, "enqueue", side_effect=RedisConnectionError):
            result = purge_expired_records.enqueue()
            assert result.backend == queue.FALLBACK
            kept = DBTaskResult.objects.get()
            assert kept.backend_name == queue.FALLBACK
            assert kept.status == TaskResultStatus.READY
            # Still away at the scheduler's next look: nothing moves, nothing is lost.
            assert queue.move_waiting_to_redis() == 0
            assert DBTaskResult.objects.count() == 1
        # Back: the kept task goes to Redis, then leaves the database.
        with mock.patch.object(RQBackend, "enqueue") as to_redis:
            assert queue.move_waiting_to_redis() == 1
        [(backend, task, args, kwargs)] = [call.args for call in to_redis.call_args_list]
        assert task.module_path == purge_expired_records.module_path
        assert backend.alias == "default" and (args, kwargs) == ([], {})
        assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_with_redis_the_move_of_waiting_tasks_is_a_periodic_job(
    jobs: dict[str, scheduler.Job],
) -> None:
    from pathways.core import jobs as core_jobs

    with override_settings(TASKS=RQ_WITH_FALLBACK):
        core_jobs.register()
    assert "move_waiting_to_redis" in scheduler.JOBS
    scheduler.JOBS.clear()
    core_jobs.register()  # the test settings: no Redis, no such job
    assert "move_waiting_to_redis" not in scheduler.JOBS


def test_every_registered_job_is_in_the_operations_guide() -> None:
    """Each app's periodic jobs (digests and reminders among them) are registered at start
    and written in docs/operations.md, so a deployer knows what the scheduler runs."""
    guide = (Path(__file__).resolve().parents[3] / "docs" / "operations.md").read_text()
    names = set(scheduler.JOBS)
    assert {"purge_expired", "worker_digests", "appointment_reminders"} <= names
    assert {"send_due_notifications", "reap_abandoned_tasks"} <= names
    assert [name for name in sorted(names) if f"`{name}`" not in guide] == []
