"""Load: the production stack (`scripts/serve.py`: gunicorn, the RQ worker, the scheduler)
on PostgreSQL with the demo world, driven by locust's simulated users, and the time of each
page at the 50th, 95th and 99th percentiles.

Locust is not a runtime dependency: it lives in a virtual environment of its own
(requirements-bench.txt), while the stack runs from the project's `.venv`:

    python3.11 -m venv .venv/bench && .venv/bench/bin/pip install -r requirements-bench.txt
    .venv/bench/bin/python bench/load.py --users 50 --minutes 10

It makes a database of its own (`pathways_bench_load`, dropped and made anew) and loads the
demo into it, starts the stack on a free port, runs locust headless, prints a table per page
and over all pages, stops the stack, and exits non-zero when the p95 over all pages is
300 ms or more or any request failed. The users: support workers (caseload, a person's
page, their contacts and plans, recording a contact), managers (referral list, waiting
list, outcomes dashboard, the service's overview, accepting a referral: the bench adds
referrals awaiting a decision before the run) and commissioners (dashboard, RR Board
reports), each signing in once and then working with 1 to 3 seconds' thought between pages. Before
the run the closed periods' figures are kept (`manage.py keep_figures`), as the nightly job
keeps them on a live service.
The sign-in is timed to its own answer (the redirect, not followed: it fails unless 302) and
the home page it leads to is timed apart ("home after sign-in"), so a slow landing page is
not put down to the sign-in; the smoke run does the same.

While locust runs, the bench samples PostgreSQL's lock table ten times a second and prints
how often a request was waiting for the audit chain's lock (every audited view and change
takes it to extend the chain: pathways/core/audit.py), so contention there is measured,
not guessed.

Sign-in is by password alone here (MFA_REQUIRED=false: locust cannot read an
authenticator app) and cookies are sent over plain HTTP (SECURE_COOKIES=false: there is no
TLS proxy in front). Everything else is as `make serve` runs it.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
DATABASE = "pathways_bench_load"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "Pathways-demo-2026"  # noqa: S105 - the demo's published password
P95_LIMIT_MS = 300
# The service's clock (config/settings.py TIME_ZONE): the dates and times its forms take.
SERVICE_TIME = ZoneInfo("Europe/London")
# Referrals awaiting a decision added before the run, for the managers to accept.
AWAITING = 400
# The audit chain's advisory lock (pathways.core.audit.CHAIN_LOCK), as pg_locks shows it.
CHAIN_LOCK = 7_20_26
# The sign-in POST, timed to its redirect; then the page it leads to (through "/", which
# sends each role to its home page), timed apart.
SIGN_IN = "sign in"
HOME_AFTER_SIGN_IN = "home after sign-in"
SEED = f"""
import datetime
from django.utils import timezone
from pathways.accounts.models import Area, User
from pathways.referrals import services
from pathways.referrals.models import Cohort, OrderType, Source
referrer = User.objects.get(username="referrer")
areas = list(Area.objects.filter(patch__service=referrer.service, retired_at=None))
today = timezone.localdate()
for i in range({AWAITING}):
    services.referral_create(
        actor=referrer,
        service=referrer.service,
        person={{
            "first_name": "Sam", "last_name": f"Load{{i:04d}}",
            "date_of_birth": datetime.date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
            "crn": f"Z{{900000 + i:06d}}", "pnc_id": "", "prison_number": "",
            "gender": "not_said", "phone": "", "email": "", "address": "1 Bench Street",
            "area": areas[i % len(areas)], "location": "community",
        }},
        details={{
            "source": Source.PROBATION, "cohort": Cohort.IOM,
            "order_type": OrderType.COMMUNITY_ORDER,
            "order_end_date": today + datetime.timedelta(days=400),
            "prison_name": "", "expected_release_date": None,
            "reason": "Bench referral", "ete_needs": "Work", "risk_information": "",
            "risk_flags": [], "accessibility_needs": "", "interpreter_language": "",
            "consent_given": True, "consent_date": today,
        }},
    )
"""

try:
    from locust import HttpUser, between, task

    class _Signed(HttpUser):
        abstract = True
        wait_time = between(1, 3)
        username = ""

        def on_start(self) -> None:
            page = self.client.get("/accounts/login/", name="sign-in page").text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            # The sign-in is judged by its own answer (the redirect), not with the landing
            # page it leads to: that page is timed on its own, as "home after sign-in".
            with self.client.post(
                "/accounts/login/",
                {
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                },
                name=SIGN_IN,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:  # the form came back: refused
                    response.failure(f"not signed in ({response.status_code})")
                    return
            self.client.get(response.headers.get("Location") or "/", name=HOME_AFTER_SIGN_IN)

    def _csrf(page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        return token.group(1) if token else ""

    class Worker(_Signed):
        weight = 3

        def on_start(self) -> None:
            self.username = random.choice(["worker-north", "worker-south"])  # noqa: S311
            super().on_start()
            caseload = self.client.get("/caseload/", name="caseload").text
            self.referrals = sorted(set(re.findall(r'href="/referrals/(\d+)/plan/"', caseload)))
            self.people = []
            for pk in self.referrals[:5]:
                detail = self.client.get(f"/referrals/{pk}/", name="referral").text
                self.people += re.findall(r'href="(/participants/\d+/)"', detail)[:1]

        @task(3)
        def caseload(self) -> None:
            self.client.get("/caseload/", name="caseload")

        @task(3)
        def person(self) -> None:
            if self.people:
                path = random.choice(self.people)  # noqa: S311
                self.client.get(path, name="person")

        @task(2)
        def contacts(self) -> None:
            if self.referrals:
                pk = random.choice(self.referrals)  # noqa: S311
                self.client.get(f"/referrals/{pk}/contacts/", name="contacts")

        @task(2)
        def plan(self) -> None:
            if self.referrals:
                pk = random.choice(self.referrals)  # noqa: S311
                self.client.get(f"/referrals/{pk}/plan/", name="plan")

        @task(1)
        def record_contact(self) -> None:
            if not self.referrals:
                return
            url = f"/referrals/{random.choice(self.referrals)}/contacts/record/"  # noqa: S311
            form = self.client.get(url, name="record a contact (form)").text
            # A contact that took place a few minutes ago (one in the future is refused:
            # it is booked, not recorded), whatever the time of day the bench runs.
            when = datetime.datetime.now(SERVICE_TIME) - datetime.timedelta(minutes=5)
            with self.client.post(
                url,
                {
                    "csrfmiddlewaretoken": _csrf(form),
                    "day-day": str(when.day),
                    "day-month": str(when.month),
                    "day-year": str(when.year),
                    "time": f"{when:%H:%M}",
                    "mode": "phone",
                    "duration_minutes": "20",
                    "location": "",
                    "happened": "yes",
                    "attended": "yes",
                    "notes": "Talked through the week's job search",
                },
                name="record a contact",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:  # the form came back: it was refused
                    said = re.findall(r'<a href="#[^"]*">([^<]*)</a>', response.text)[:2]
                    response.failure(f"not recorded ({response.status_code}): {said}")

    class Manager(_Signed):
        weight = 2
        username = "manager"

        @task(3)
        def referrals(self) -> None:
            self.client.get("/referrals/", name="referral list")

        @task(2)
        def waiting_list(self) -> None:
            self.client.get("/waiting-list/", name="waiting list")

        @task(2)
        def dashboard(self) -> None:
            self.client.get("/outcomes/", name="dashboard")

        @task(1)
        def overview(self) -> None:
            self.client.get("/service/", name="service overview")

        @task(1)
        def accept(self) -> None:
            awaiting = self.client.get("/referrals/?status=received", name="referral list").text
            found = re.findall(r'href="/referrals/(\d+)/"', awaiting)
            if not found:
                return
            url = f"/referrals/{random.choice(found)}/accept/"  # noqa: S311
            form = self.client.get(url, name="accept a referral (form)").text
            # Another manager may have decided it first: that refusal is not an error.
            with self.client.post(
                url,
                {"csrfmiddlewaretoken": _csrf(form), "eligibility_confirmed": "on"},
                name="accept a referral",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code in (200, 302, 404):
                    response.success()

    class Commissioner(_Signed):
        weight = 1
        username = "commissioner"

        @task(3)
        def dashboard(self) -> None:
            self.client.get("/outcomes/", name="dashboard")

        @task(1)
        def reports(self) -> None:
            self.client.get("/reports/board/", name="RR Board reports")

except ImportError:  # the stack's own side runs without locust
    pass


def postgres(statement: str) -> None:
    psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
    subprocess.run([*psql, statement], check=True)  # noqa: S603 - PostgreSQL's client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(port: int, stack: subprocess.Popen[bytes]) -> None:
    import urllib.request

    for _ in range(180):
        if stack.poll() is not None:
            raise SystemExit("the stack stopped while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit("the stack was not ready in 3 minutes")


PAGES = {
    "worker-north": [
        ("caseload", "/caseload/"),
        ("person", None),
        ("contacts", None),
        ("plan", None),
    ],
    "manager": [
        ("referral list", "/referrals/"),
        ("waiting list", "/waiting-list/"),
        ("dashboard", "/outcomes/"),
        ("service overview", "/service/"),
    ],
    "commissioner": [("dashboard", "/outcomes/"), ("RR Board reports", "/reports/board/")],
}


def smoke(port: int, prefix: Path, rounds: int = 3) -> None:
    """Without locust (the suite's smoke run, tests/test_benches.py): each role signs in and
    reads its pages a few times, one request at a time; the same table is written."""
    import http.cookiejar
    import statistics
    import urllib.error
    import urllib.parse
    import urllib.request

    base = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}

    def get(
        opener: urllib.request.OpenerDirector, name: str, path: str, data: bytes | None = None
    ) -> str:
        started = time.perf_counter()
        try:
            with opener.open(base + path, data=data, timeout=60) as response:
                body = response.read().decode()
        except OSError:
            failures[name] = failures.get(name, 0) + 1
            return ""
        times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return body

    class Unfollowed(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None  # the redirect comes back as the answer (an HTTPError with its code)

    def sign_in(jar: http.cookiejar.CookieJar, data: bytes) -> str | None:
        """POST the sign-in form, timed to its own answer: a redirect (302) signs in, and
        where it leads is returned; anything else counts as a failure."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Unfollowed())
        started = time.perf_counter()
        try:
            with opener.open(base + "/accounts/login/", data=data, timeout=60) as response:
                status, location = response.status, None  # the form came back: refused
        except urllib.error.HTTPError as answer:
            status, location = answer.code, answer.headers.get("Location")
            answer.close()
        except OSError:
            status, location = 0, None
        if status != 302:
            failures[SIGN_IN] = failures.get(SIGN_IN, 0) + 1
            return None
        times.setdefault(SIGN_IN, []).append((time.perf_counter() - started) * 1000)
        return urllib.parse.urlsplit(location or "/").path or "/"

    for username, pages in PAGES.items():
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = get(opener, "sign-in page", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        fields = {"username": username, "password": PASSWORD}
        fields["csrfmiddlewaretoken"] = token.group(1) if token else ""
        home = sign_in(jar, urllib.parse.urlencode(fields).encode())
        if home is not None:
            get(opener, HOME_AFTER_SIGN_IN, home)
        caseload = get(opener, "caseload", "/caseload/") if username.startswith("worker") else ""
        referral = re.search(r'href="/referrals/(\d+)/plan/"', caseload)
        found: dict[str, str | None] = {"person": None, "contacts": None, "plan": None}
        if referral:
            pk = referral.group(1)
            detail = get(opener, "referral", f"/referrals/{pk}/")
            person = re.search(r'href="(/participants/\d+/)"', detail)
            found = {
                "person": person.group(1) if person else None,
                "contacts": f"/referrals/{pk}/contacts/",
                "plan": f"/referrals/{pk}/plan/",
            }
        for _ in range(rounds):
            for name, path in pages:
                path = path or found.get(name)
                if path:
                    get(opener, name, path)
    every = [t for ts in times.values() for t in ts]

    def row(name: str, ts: list[float], failed: int) -> dict[str, str]:
        cuts = statistics.quantiles(ts, n=100, method="inclusive") if len(ts) > 1 else ts * 99
        return {
            "Name": name,
            "Request Count": str(len(ts)),
            "Failure Count": str(failed),
            "50%": f"{cuts[49]:.0f}",
            "95%": f"{cuts[94]:.0f}",
            "99%": f"{cuts[98]:.0f}",
        }

    rows = [row(name, ts, failures.get(name, 0)) for name, ts in times.items()]
    rows.append(row("Aggregated", every, sum(failures.values())))
    with open(f"{prefix}_stats.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


class LockSampler:
    """psql asking PostgreSQL's lock table ten times a second who holds and who waits for
    the audit chain's lock, for the length of the run."""

    QUERY = (
        "SELECT count(*) FILTER (WHERE NOT granted) FROM pg_locks "  # noqa: S608 - constants
        f"WHERE locktype = 'advisory' AND classid = 0 AND objid = {CHAIN_LOCK} \\watch 0.1\n"
    )

    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed command
            ["psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE],  # noqa: S607
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdin is not None
        self.process.stdin.write(self.QUERY)
        self.process.stdin.flush()

    def stop(self) -> None:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=10)
        waiting = [int(line) for line in out.split() if line.isdigit()]
        if not waiting:
            print("\naudit chain lock: no samples")
            return
        busy = sum(1 for w in waiting if w)
        print(
            f"\naudit chain lock: {len(waiting)} samples; a request was waiting for it in "
            f"{busy} ({100 * busy / len(waiting):.1f}%), at most {max(waiting)} at once, "
            f"{sum(waiting) / len(waiting):.2f} on average"
        )


def report(prefix: Path, *, judged: bool = True) -> int:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    print(f"\n{'page':<22}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    total = None
    for row in rows:
        line = (
            f"{row['Name'][:21]:<22}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
        if row["Name"] == "Aggregated":
            total = row
        else:
            print(line)
    assert total is not None
    print(
        f"{'all pages':<22}{total['Request Count']:>9}{total['Failure Count']:>8}"
        f"{total['50%']:>8}{total['95%']:>8}{total['99%']:>8}"
    )
    failed = int(total["Failure Count"]) > 0
    slow = judged and float(total["95%"]) >= P95_LIMIT_MS
    if failed:
        print("FAIL: some requests failed")
    if slow:
        print(f"FAIL: p95 over all pages is {total['95%']} ms (limit {P95_LIMIT_MS} ms)")
    return 1 if failed or slow else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        help="users started a second (default: a tenth of --users, so all sign in within "
        "the first 10 seconds)",
    )
    parser.add_argument("--web-concurrency", default=os.environ.get("WEB_CONCURRENCY", "4"))
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="no locust: each role reads its pages a few times (the suite's check that the "
        "bench still runs; its figures are not judged)",
    )
    args = parser.parse_args()
    port = free_port()
    postgres(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    postgres(f'CREATE DATABASE "{DATABASE}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "PORT": str(port),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "MFA_REQUIRED": "false",
        "SECURE_COOKIES": "false",
        "WEB_CONCURRENCY": args.web_concurrency,
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": f"/tmp/{DATABASE}-static",  # noqa: S108 - the bench's own copy
    }
    project = str(PROJECT_PYTHON)
    subprocess.run([project, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    # The smoke run needs the demo's accounts only (their pages may be empty); the load, the
    # whole demo world.
    load = (
        ["shell", "-c", "from pathways.demo import accounts; accounts.load()"]
        if args.smoke
        else ["load_demo"]
    )
    subprocess.run([project, "manage.py", *load], cwd=ROOT, env=env, check=True)  # noqa: S603
    if not args.smoke:
        seed = ["manage.py", "shell", "-c", SEED]
        subprocess.run([project, *seed], cwd=ROOT, env=env, check=True)  # noqa: S603
        # A live service's closed periods were kept by the nightly job
        # (outcomes.kept): keep them as it would have, so the run measures the days after.
        keep = ["manage.py", "keep_figures"]
        subprocess.run([project, *keep], cwd=ROOT, env=env, check=True)  # noqa: S603
    stack = subprocess.Popen(  # noqa: S603 - fixed command
        [project, "scripts/serve.py"], cwd=ROOT, env=env, start_new_session=True
    )
    prefix = Path(f"/tmp/{DATABASE}")  # noqa: S108 - locust's CSV output
    try:
        wait_ready(port, stack)
        if args.smoke:
            smoke(port, prefix)
            return report(prefix, judged=False)
        sampler = LockSampler()
        subprocess.run(  # noqa: S603 - fixed command
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                __file__,
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate or max(1, args.users // 10)),
                "-t",
                f"{int(args.minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            check=False,
        )
        sampler.stop()
        return report(prefix)
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
        postgres(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
