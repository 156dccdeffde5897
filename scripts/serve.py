"""`make serve`: the production stack on this machine (docs/operations.md).

Web (gunicorn, config/gunicorn.py), worker (RQ on Redis; the database worker when
TASKS_BACKEND=database) and scheduler (`manage.py run_scheduler`), against PostgreSQL and
Redis: DATABASE_URL and REDIS_URL override the defaults below, PORT the web port. It
refuses to start with DEBUG on or without SECRET_KEY, saying why; creates the database if
it is missing, migrates and collects the static files first; and stops all three on
Ctrl-C or SIGTERM, or when any one of them stops.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pathways",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PORT": "8000",
}
TRUE = {"1", "true", "yes", "on"}
# Seconds each process has to finish its work after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 20


def refusals(env: Mapping[str, str]) -> list[str]:
    """Why the stack must not start with this environment (empty: it may)."""
    found = []
    if env.get("DEBUG", "").strip().lower() in TRUE:
        found.append(
            "DEBUG is on: `make serve` is the production shape and never runs in debug mode "
            "(it shows settings and code on errors). Unset DEBUG or set DEBUG=false; "
            "`make run` is the demo."
        )
    if not env.get("SECRET_KEY", "").strip():
        found.append(
            "SECRET_KEY is not set: give a long random value, kept secret and the same for "
            'every process, e.g. SECRET_KEY="$(python3 -c '
            "'import secrets; print(secrets.token_urlsafe(50))')\" make serve."
        )
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        found.append("DATABASE_URL must be a PostgreSQL URL (postgres://...).")
    return found


def environment(given: Mapping[str, str]) -> dict[str, str]:
    env = {**DEFAULTS, **{k: v for k, v in given.items() if v != ""}}
    env.setdefault("DEBUG", "false")
    return env


def commands(env: Mapping[str, str]) -> dict[str, list[str]]:
    """The three processes (docs/operations.md lists the same commands)."""
    python = sys.executable
    if env.get("TASKS_BACKEND", "rq") == "database":
        worker = [python, "manage.py", "db_worker", "--no-reload"]
    else:
        worker = [python, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
    return {
        "web": [python, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        "worker": worker,
        "scheduler": [python, "manage.py", "run_scheduler"],
    }


def ensure_database(url: str) -> None:
    """Create the database named in the URL when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"serve: created the database {name}", flush=True)


def prepare(env: dict[str, str]) -> None:
    """Collect the static files (no database needed) while the database is migrated."""
    manage = [sys.executable, "manage.py"]
    collect = subprocess.Popen(  # noqa: S603 - fixed commands
        [*manage, "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env
    )
    try:
        ensure_database(env["DATABASE_URL"])
        migrate = [*manage, "migrate", "--no-input"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603 - fixed command
    finally:
        if collect.wait() != 0:
            raise SystemExit("serve: collectstatic failed")


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"serve: {name} did not stop in time; killing it", flush=True)
            process.kill()
            process.wait()


def main() -> int:
    env = environment(os.environ)
    problems = refusals(env)
    if problems:
        for problem in problems:
            print(f"make serve refuses to start: {problem}", file=sys.stderr)
        return 2
    prepare(env)
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    processes = {
        # Each in a session of its own, so one Ctrl-C reaches this runner only, which stops
        # them in order (a second SIGINT would cut a worker's task short).
        name: subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
        for name, command in commands(env).items()
    }
    print(
        f"serve: web on http://127.0.0.1:{env['PORT']}/ (pids "
        + ", ".join(f"{name} {p.pid}" for name, p in processes.items())
        + "); Ctrl-C stops all three",
        flush=True,
    )
    code = 0
    while not stopping:
        ended = [name for name, p in processes.items() if p.poll() is not None]
        if ended:
            print(f"serve: {', '.join(ended)} stopped; stopping the rest", flush=True)
            code = 1
            break
        time.sleep(0.5)
    stop(processes)
    return code


if __name__ == "__main__":
    sys.exit(main())
