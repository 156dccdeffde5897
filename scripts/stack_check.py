"""CI: start the production stack from this clone (`scripts/serve.py`: web, worker and
scheduler on PostgreSQL and Redis), sign in as production asks (password, then the code of
an authenticator app), cut every database connection the stack holds, have the worker
generate an RR Board report and download it, then stop the stack and clean up.

The stack gets a database of its own (``pathways_ci_stack``, made anew and dropped after)
and a Redis database of its own (14, emptied before and after). The user is made by this
script's ``--make-user`` step, run with the stack's settings: a manager with a confirmed
TOTP device whose key the script keeps, so it computes the code as the app would.

    .venv/bin/python scripts/stack_check.py        (about a minute; exits non-zero on failure)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "pathways_ci_stack"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/14"
READY_SECONDS = 90
REPORT_SECONDS = 60


BEGAN = time.monotonic()


def say(text: str) -> None:
    print(f"stack check [{time.monotonic() - BEGAN:5.1f} s]: {text}", flush=True)


def make_user() -> None:
    """Run with the stack's environment: a service, a manager and their authenticator."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pathways.accounts.models import Service, User
    from pathways.core.roles import Role

    service, _ = Service.objects.get_or_create(
        slug="ci-stack", defaults={"name": "CI stack service", "capacity": 30}
    )
    password = secrets.token_urlsafe(18)
    user = User.objects.create_user(
        username="ci-stack-manager", password=password, role=Role.MANAGER, service=service
    )
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    print(json.dumps({"username": user.username, "password": password, "key": device.key}))


class Browser:
    """Just enough of a browser: cookies kept (Secure ones too: this is the proxy's side of
    TLS), redirects returned to the caller, the CSRF token read from forms."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def form_post(
        self, path: str, fields: dict[str, str], *, to: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        """Open the page at ``path`` and post its form (to ``to`` if given)."""
        status, _headers, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError(f"no form on {path}")
        fields = {**fields, "csrfmiddlewaretoken": token.group(1)}
        return self.request("POST", to or path, fields)


def alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres(statement: str, *params: object) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(statement, params)  # type: ignore[arg-type]


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def wait_ready(browser: Browser, stack: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise RuntimeError("the stack stopped while starting")
        try:
            status, _headers, body = browser.request("GET", "/readyz")
            if status == 200 and json.loads(body)["redis"] == "ok":
                say(f"ready: {body}")
                return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"not ready within {READY_SECONDS} seconds")


def sign_in(browser: Browser, user: dict[str, str]) -> None:
    from django_otp.oath import totp

    status, headers, _ = browser.form_post(
        "/accounts/login/", {"username": user["username"], "password": user["password"]}
    )
    if status != 302:
        raise RuntimeError(f"the password was refused ({status})")
    status, headers, _ = browser.request("GET", urlsplit(headers["location"]).path)
    if status == 302 and "/accounts/mfa/verify/" in headers["location"]:
        location = urlsplit(headers["location"])
        path = location.path + (f"?{location.query}" if location.query else "")
        code = f"{totp(bytes.fromhex(user['key'])):06d}"
        status, headers, _ = browser.form_post(path, {"code": code})
        if status != 302:
            raise RuntimeError(f"the authenticator's code was refused ({status})")
    else:
        raise RuntimeError("production did not ask for the authenticator's code")
    status, _, _ = browser.request("GET", "/reports/board/")
    if status != 200:
        raise RuntimeError(f"signed in, but the reports page answered {status}")
    say("signed in with a password and an authenticator code")


def cut_database_connections() -> None:
    postgres(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        DATABASE,
    )
    say("cut every database connection the stack held")


def generate_report(browser: Browser) -> None:
    started = time.monotonic()
    status, headers, _ = browser.form_post("/reports/board/", {}, to="/reports/board/new/")
    if status != 302 or "/reports/board/" not in headers.get("location", ""):
        raise RuntimeError(f"asking for a report answered {status}")
    detail = urlsplit(headers["location"]).path
    deadline = time.monotonic() + REPORT_SECONDS
    while time.monotonic() < deadline:
        status, _, page = browser.request("GET", detail)
        if status != 200:
            raise RuntimeError(f"the report's page answered {status}")
        if "could not be generated" in page:
            raise RuntimeError("the worker failed to generate the report")
        if f"{detail}pdf/" in page:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"the report was not ready within {REPORT_SECONDS} seconds")
    status, headers, _pdf = browser.request("GET", f"{detail}pdf/")
    if status != 200 or headers.get("content-type") != "application/pdf":
        raise RuntimeError(f"the PDF download answered {status}")
    say(f"the worker generated the report in {time.monotonic() - started:.1f} s")


def main() -> int:
    port = free_port()
    postgres(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    postgres(f'CREATE DATABASE "{DATABASE}"')
    # A throwaway database: its commits need not wait for the disk (the migrations are
    # a few hundred of them).
    postgres(f'ALTER DATABASE "{DATABASE}" SET synchronous_commit = off')
    empty_redis()
    uploads = tempfile.mkdtemp(prefix="pathways-ci-stack-")
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "PORT": str(port),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "IMPORT_UPLOAD_DIR": uploads,
        # Collected apart from the clone's own staticfiles/, which a test run may be reading.
        "STATIC_ROOT": str(Path(uploads) / "static"),
        "WEB_CONCURRENCY": "2",
    }
    env.pop("MFA_REQUIRED", None)
    env.pop("TASKS_BACKEND", None)
    log = open(Path(uploads) / "stack.log", "wb")  # noqa: SIM115 - kept open for the stack
    stack = subprocess.Popen(
        [sys.executable, "scripts/serve.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    ok = False
    try:
        browser = Browser(port)
        wait_ready(browser, stack)
        made = subprocess.run(
            [sys.executable, "scripts/stack_check.py", "--make-user"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        user = json.loads(made.stdout.strip().splitlines()[-1])
        sign_in(browser, user)
        cut_database_connections()
        generate_report(browser)
        ok = True
    finally:
        if stack.poll() is None:
            say("stopping the stack")
            stack.send_signal(signal.SIGTERM)
            try:
                stack.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
                stack.wait()
        log.close()
        text = (Path(uploads) / "stack.log").read_text(errors="replace")
        if not ok:
            print(text[-6000:], file=sys.stderr)
        started = re.search(r"serve: web on \S+ \(pids ([^)]*)\)", text)
        pids = re.findall(r"\d+", started.group(1)) if started else []
        leftover = [pid for pid in pids if alive(pid)]
        postgres(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        empty_redis()
        for path in sorted(Path(uploads).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        Path(uploads).rmdir()
    if leftover:
        say(f"processes left running: {leftover}")
        return 1
    say("stopped and cleaned up")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--make-user"]:
        make_user()
    else:
        sys.exit(main())
