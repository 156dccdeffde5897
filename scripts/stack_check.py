"""CI: start the production stack from this clone (`scripts/serve.py`: web, worker and
scheduler on PostgreSQL and Redis), sign in as production asks (password, then the code of
an authenticator app), cut every database connection the stack holds, have the worker
generate an RR Board report and download it; then stop Redis, check that pages still work
and that a report asked for meanwhile waits, start Redis again and see the worker make that
report; then stop the stack and clean up.

The stack gets a database of its own (``pathways_ci_stack``, made anew and dropped after)
and a Redis server of its own (``redis-server`` on a free port, keeping nothing on disk), so
stopping it touches nothing else on the machine. The user is made by this
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
READY_SECONDS = 90
REPORT_SECONDS = 60
# A task asked for while Redis was away is handed to it by the scheduler's job each minute.
AFTER_REDIS_SECONDS = 150
NO_DISK = ("--save", "", "--appendonly", "no")
# How long Redis stays away: long enough for the worker and the scheduler to meet it gone.
REDIS_AWAY_SECONDS = 20


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


class Redis:
    """A redis-server of the check's own, on a free port, stopped and started at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed command
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), *NO_DISK],  # noqa: S607
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def wait_ready(
    browser: Browser, stack: subprocess.Popen[bytes], *, redis: str = "ok", status: str = "ok"
) -> None:
    """Until /readyz reports Redis as ``redis`` and the whole as ``status``."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise RuntimeError("the stack stopped")
        try:
            code, _headers, body = browser.request("GET", "/readyz")
            answer = json.loads(body)
            if code == 200 and (answer["redis"], answer["status"]) == (redis, status):
                say(f"ready: {body}")
                return
        except (OSError, ValueError):
            pass
        time.sleep(1)
    raise RuntimeError(f"/readyz did not say redis {redis!r} within {READY_SECONDS} seconds")


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


def ask_for_report(browser: Browser) -> str:
    """Ask for an RR Board report; the path of its page."""
    status, headers, _ = browser.form_post("/reports/board/", {}, to="/reports/board/new/")
    if status != 302 or "/reports/board/" not in headers.get("location", ""):
        raise RuntimeError(f"asking for a report answered {status}")
    return urlsplit(headers["location"]).path


def generate_report(browser: Browser, detail: str = "", seconds: int = REPORT_SECONDS) -> None:
    started = time.monotonic()
    detail = detail or ask_for_report(browser)
    deadline = time.monotonic() + seconds
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
        raise RuntimeError(f"the report was not ready within {seconds} seconds")
    status, headers, _pdf = browser.request("GET", f"{detail}pdf/")
    if status != 200 or headers.get("content-type") != "application/pdf":
        raise RuntimeError(f"the PDF download answered {status}")
    say(f"the worker generated the report in {time.monotonic() - started:.1f} s")


def redis_away_and_back(browser: Browser, stack: subprocess.Popen[bytes], redis: Redis) -> None:
    """Redis stopped: pages work and a report asked for waits in the database; Redis back:
    the scheduler hands it over and the worker makes it, with no restart of anything."""
    redis.stop()
    say("stopped Redis")
    wait_ready(browser, stack, redis="unavailable", status="degraded")
    status, _, _ = browser.request("GET", "/reports/board/")
    if status != 200:
        raise RuntimeError(f"with Redis away, the reports page answered {status}")
    detail = ask_for_report(browser)
    status, _, page = browser.request("GET", detail)
    if status != 200 or "could not be generated" in page:
        raise RuntimeError(f"with Redis away, the report asked for answered {status}")
    say("with Redis away, pages work and the report asked for waits")
    time.sleep(REDIS_AWAY_SECONDS)
    if stack.poll() is not None:
        raise RuntimeError("the stack stopped while Redis was away")
    status, _, _ = browser.request("GET", "/reports/board/")
    if status != 200:
        raise RuntimeError(f"after {REDIS_AWAY_SECONDS} s without Redis, a page answered {status}")
    redis.start()
    say("started Redis again")
    generate_report(browser, detail, AFTER_REDIS_SECONDS)


def main() -> int:
    port = free_port()
    postgres(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    postgres(f'CREATE DATABASE "{DATABASE}"')
    # A throwaway database: its commits need not wait for the disk (the migrations are
    # a few hundred of them).
    postgres(f'ALTER DATABASE "{DATABASE}" SET synchronous_commit = off')
    redis = Redis()
    redis.start()
    uploads = tempfile.mkdtemp(prefix="pathways-ci-stack-")
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": redis.url,
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
        redis_away_and_back(browser, stack, redis)
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
        redis.stop()
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
