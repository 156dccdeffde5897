"""Whether any page slows down as services are added to one deployment (PostgreSQL).

Builds one service of --people people in a database of its own with the measures
bench's SQL (``measures_at_scale._build``: referrals over three contract years with their
decisions, starts and ends, employers, opportunities, placements, sustainment checks,
plans and goals, readings, contacts, orders and offences), then adds five audit events per
episode, a commissioner and an API client whose account made half the referrals. Every further service is a copy of the first, row for row, made in SQL with new
ids (its own patches, areas and staff), so each service is the same size.

At each count of services (--services, 1 10 50 by default) it times the main pages of the
first service's users through Django's test client in this process (templates
included), as the median of --runs runs, and counts each page's queries. The clock is
set to a working morning just before the data's last day, so the half-year in progress
and the last closed one both hold a half-year of records.

Prints a table: each page's time at each count of services, the ratio most / first, and
its queries at the first and the most. Exits non-zero when a page (above MIN_MS at the
most) takes more than MAX_RATIO times as long with the most services as with the first,
or makes more queries (--smoke prints the verdict without exiting on it, for the
suite's smoke run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/pages_by_services.py [--services 1 10 50] [--people 2000] [--runs 10]

The database ``pathways_bench_services`` is dropped and made anew, and dropped at the end\n(unless --keep, to look into a page's queries).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import logging
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measures_at_scale as built

DATABASE = "pathways_bench_services"
# A Tuesday morning just before the data's last day (measures_at_scale.DATA_END): the
# half-year in progress (November to April) and the last closed one both hold records.
TODAY = datetime.datetime(2025, 4, 29, 10, 0, tzinfo=ZoneInfo("Europe/London"))
AUDIT_EVENTS_PER_EPISODE = 5
SEARCH = "Surname17"  # a last name every service has (the bench's names repeat)
# The verdict: a page is judged when its median at the most services is at least MIN_MS.
MAX_RATIO = 1.5
MIN_MS = 5.0

# Audit events of each episode (the person's timeline and the access log read them).
# Filler hashes: the pages read real-sized rows, but these events are not a verifiable
# chain (verify_audit is never run on this database).
AUDIT_SQL = """
INSERT INTO core_auditevent
  (at, actor_id, kind, action, object_type, object_id, subject_id, episode_id, summary,
   detail, prev_hash, hash)
SELECT r.received_at + make_interval(days => e), coalesce(r.worker_id, r.referred_by_id),
       CASE WHEN e %% 2 = 0 THEN 'view' ELSE 'change' END,
       CASE WHEN e %% 2 = 0 THEN 'referral.viewed' ELSE 'referral.changed' END,
       'referrals.referral', r.id::text, r.participant_id, r.id, 'Bench event', '{}', '',
       encode(sha256(convert_to(r.id::text || ':' || e::text, 'UTF8')), 'hex')
FROM referrals_referral r, generate_series(1, %(events)s) AS e
"""


def _setup() -> None:
    # The pages' own log lines (sign-ins) would bury the table.
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Every run of the API's list is one call: the bench makes more than a minute allows.
    os.environ["API_RATE_LIMIT"] = "1000000"
    built.DATABASE = DATABASE  # the measures bench's set-up, in a database of this bench
    built._setup_django()


def _drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin_url = os.environ.get("BENCH_ADMIN_URL", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


# ---------------------------------------------------------------- the first service


@dataclass
class Staff:
    manager: Any
    worker: Any
    commissioner: Any
    client_id: str
    client_secret: str


def _first_service(people: int) -> None:
    """The first service, by the measures bench, with audit events, a commissioner and an
    API client that made half the referrals."""
    from django.db import connection

    from pathways.accounts.models import User
    from pathways.api import services as api_services
    from pathways.api.scopes import SCOPES
    from pathways.core.roles import Role

    (service,), steps = built._build(people, 1)
    print("  " + ", ".join(f"{name} {s:.1f} s" for name, s in steps.items()))
    User.objects.create(username="commissioner", role=Role.COMMISSIONER, service=service)
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_superuser=True)
    registered = api_services.client_register(
        actor=admin, name="Bench case system", service=service, scopes=list(SCOPES)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral SET referred_by_id = %s WHERE id %% 2 = 0",
            [registered.client.account_id],
        )
        cursor.execute(AUDIT_SQL, {"events": AUDIT_EVENTS_PER_EPISODE})
        # The client's secret is shown once: kept in a table of this bench's own database.
        cursor.execute("CREATE TABLE bench_secret (client_id text, secret text)")
        cursor.execute(
            "INSERT INTO bench_secret VALUES (%s, %s)",
            [registered.client_id, registered.client_secret],
        )
        cursor.execute("ANALYZE")


def _staff() -> Staff:
    """The first service's manager, a worker, its commissioner and the API client."""
    from django.db import connection

    from pathways.accounts.models import Service, User
    from pathways.core.roles import Role

    first = Service.objects.order_by("pk").first()
    staff = User.objects.filter(service=first).order_by("pk")
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_id, secret FROM bench_secret")
        client_id, secret = cursor.fetchone()
    return Staff(
        manager=staff.filter(role=Role.MANAGER).first(),
        worker=staff.filter(role=Role.WORKER).first(),
        commissioner=staff.filter(role=Role.COMMISSIONER).first(),
        client_id=client_id,
        client_secret=secret,
    )


# ---------------------------------------------------------------- copies of it


def _cloned_models() -> list[Any]:
    """The first service's records, parents before children."""
    from pathways.contacts.models import Contact
    from pathways.core.models import AuditEvent
    from pathways.employers.models import Employer, Opportunity
    from pathways.outcomes.models import Order, ProvenOffence
    from pathways.participants.models import Participant
    from pathways.placements.models import Placement, SustainmentCheck
    from pathways.plans.models import Goal, PathwayPlan, Reading, ReadingScore
    from pathways.referrals.models import Referral

    return [
        Participant,
        Referral,
        Employer,
        Opportunity,
        Placement,
        SustainmentCheck,
        PathwayPlan,
        Goal,
        Reading,
        ReadingScore,
        Order,
        ProvenOffence,
        Contact,
        AuditEvent,
    ]


@dataclass
class Source:
    """The first service's rows (ids up to ``last_id`` of each table) and its people."""

    last_id: dict[Any, int]
    users: dict[int, str]  # id -> the role of the copy's user it becomes
    patches: dict[int, str]
    areas: dict[int, str]
    service: int


def _source() -> Source:
    from django.db.models import Max

    from pathways.accounts.models import Area, Patch, Service, User
    from pathways.api.models import ApiClient
    from pathways.core.roles import Role

    service = Service.objects.order_by("pk").first()
    accounts = ApiClient.objects.values_list("account", flat=True)
    staff = User.objects.filter(service=service).exclude(pk__in=accounts).order_by("pk")
    users = {user.pk: user.username for user in staff}
    # The API client's account made half the referrals: the copies' referrer makes them.
    referrer = staff.filter(role=Role.REFERRER).first()
    assert referrer is not None
    users.update(dict.fromkeys(accounts, referrer.username))
    return Source(
        last_id={
            model: model.objects.aggregate(last=Max("pk"))["last"] or 0
            for model in _cloned_models()
        },
        users=users,
        patches=dict(Patch.objects.filter(service=service).values_list("pk", "name")),
        areas=dict(Area.objects.filter(patch__service=service).values_list("pk", "name")),
        service=service.pk,
    )


def _case(column: str, mapping: dict[int, int]) -> str:
    whens = " ".join(f"WHEN {int(old)} THEN {int(new)}" for old, new in mapping.items())
    return f"CASE {column} {whens} ELSE {column} END"


def _copy(source: Source, n: int) -> None:
    """Service ``n``: its patches, areas and staff, and a copy of every record of the first
    service with new ids (each table's ids moved past its largest), in SQL."""
    from django.db import connection
    from django.db.models import Max

    from pathways.accounts.models import Area, Patch, Service, User
    from pathways.core.models import AuditEvent
    from pathways.participants.models import Participant

    first = Service.objects.get(pk=source.service)
    service = Service.objects.create(
        name=f"Service {n}", slug=f"service-{n}", capacity=first.capacity
    )
    patches = {
        old: Patch.objects.create(service=service, name=name).pk
        for old, name in source.patches.items()
    }
    areas = {}
    for area in Area.objects.filter(pk__in=source.areas):
        areas[area.pk] = Area.objects.create(
            patch_id=patches[area.patch_id], name=f"{area.name} {n}"
        ).pk
    made: dict[str, int] = {}
    for original in User.objects.filter(username__in=set(source.users.values())):
        made[original.username] = User.objects.create(
            username=f"{original.username}-{n}",
            role=original.role,
            service=service,
            patch_id=patches[original.patch_id] if original.patch_id else None,
        ).pk
    users = {old: made[username] for old, username in source.users.items()}
    maps: dict[Any, dict[int, int]] = {
        User: users,
        Service: {source.service: service.pk},
        Patch: patches,
        Area: areas,
    }
    models = _cloned_models()
    offsets = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in models}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            columns, values = [], []
            for field in model._meta.concrete_fields:
                column = field.column
                related = field.related_model if field.is_relation else None
                if field.primary_key:
                    value = f"{column} + {offsets[model]}"
                elif related in offsets:
                    value = f"{column} + {offsets[related]}"
                elif related in maps:
                    value = _case(column, maps[related])
                else:
                    value = column
                columns.append(column)
                values.append(value)
            where = f"id <= {source.last_id[model]}"
            if model is Participant:
                crn = columns.index("crn")
                moved = f"id + {offsets[model]}"
                values[crn] = (
                    f"CASE WHEN crn IS NULL THEN NULL ELSE chr(65 + (({moved}) / 1000000)::int) "
                    f"|| lpad(mod({moved}, 1000000)::text, 6, '0') END"
                )
            if model is AuditEvent:
                # The first service's episodes' events (not the bench's own set-up).
                where += " AND episode_id IS NOT NULL"
                person, episode = offsets[Participant], offsets[_cloned_models()[1]]
                values[columns.index("subject_id")] = f"subject_id + {person}"
                values[columns.index("episode_id")] = f"episode_id + {episode}"
                values[columns.index("object_id")] = f"(object_id::bigint + {episode})::text"
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names and ints
                f"SELECT {', '.join(values)} FROM {table} WHERE {where}"
            )
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )


# ---------------------------------------------------------------- the pages


@dataclass
class Page:
    name: str
    fetch: Callable[[], Any]


def _pages(staff: Staff) -> list[Page]:
    """The main pages of the first service's users, each a call that checks its answer."""
    from django.test import Client
    from django.utils import timezone

    from pathways.core import periods
    from pathways.plans.models import PathwayPlan
    from pathways.referrals.models import Referral

    worker, manager, commissioner = Client(), Client(), Client()
    worker.force_login(staff.worker)
    manager.force_login(staff.manager)
    commissioner.force_login(staff.commissioner)
    api = Client()
    credentials = base64.b64encode(f"{staff.client_id}:{staff.client_secret}".encode())
    answer = api.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION="Basic " + credentials.decode(),
    )
    assert answer.status_code == 200, answer.content
    bearer = {"HTTP_AUTHORIZATION": "Bearer " + answer.json()["access_token"]}

    # One episode in the worker's caseload with a plan: the same one at every count.
    episode = (
        Referral.objects.filter(worker=staff.worker, ended_at__isnull=True)
        .filter(pk__in=PathwayPlan.objects.values("referral"))
        .order_by("pk")
        .first()
    )
    assert episode is not None, "the worker has no one with a plan"
    today = timezone.localdate()
    current = periods.half_year(today)
    last_closed = periods.half_year(current.start - datetime.timedelta(days=1))
    since = (TODAY - datetime.timedelta(days=120)).astimezone(datetime.UTC)

    def get(client: Client, path: str, **extra: Any) -> Callable[[], Any]:
        def fetch() -> Any:
            response = client.get(path, **extra)
            assert response.status_code == 200, (path, response.status_code)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            return response

        return fetch

    def search() -> Any:
        response = manager.post("/participants/find/", {"query": SEARCH})
        assert response.status_code == 200, response.status_code
        return response

    return [
        Page("caseload (worker)", get(worker, "/caseload/")),
        Page("to do (worker)", get(worker, "/to-do/")),
        Page("person's page (worker)", get(worker, f"/participants/{episode.participant_id}/")),
        Page("contacts (worker)", get(worker, f"/referrals/{episode.pk}/contacts/")),
        Page("plan (worker)", get(worker, f"/referrals/{episode.pk}/plan/")),
        Page("referral list (manager)", get(manager, "/referrals/")),
        Page("waiting list (manager)", get(manager, "/waiting-list/")),
        Page("service overview (manager)", get(manager, "/service/")),
        Page("outcomes, half-year in progress (manager)", get(manager, "/outcomes/")),
        Page(
            "outcomes, last closed half-year (manager)",
            get(manager, f"/outcomes/?period={last_closed.key}"),
        ),
        Page("placements (manager)", get(manager, "/placements/")),
        Page("find a person (manager)", search),
        Page(
            "Justice Data Lab CSV (manager)", get(manager, "/imports/justice-data-lab/export.csv")
        ),
        Page("summary (commissioner)", get(commissioner, "/summary/")),
        Page("outcomes (commissioner)", get(commissioner, "/outcomes/")),
        Page(
            "API: referrals changed since (client)",
            get(
                api,
                f"/api/v1/referrals?changed_since={since:%Y-%m-%dT%H:%M:%SZ}&limit=50",
                **bearer,
            ),
        ),
    ]


@dataclass
class Figure:
    ms: float
    queries: int


def _measure(runs: int) -> dict[str, Figure]:
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = {}
    with time_machine.travel(TODAY, tick=True):
        for page in _pages(_staff()):
            page.fetch()  # warm up
            with CaptureQueriesContext(connection) as queries:
                page.fetch()
            count = len(queries)  # now: the next request empties the connection's log
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                page.fetch()
                times.append((time.perf_counter() - started) * 1000)
            figures[page.name] = Figure(statistics.median(times), count)
    return figures


def _verdict(first: dict[str, Figure], most: dict[str, Figure]) -> list[str]:
    """The pages that slow down or make more queries with more services."""
    problems = []
    for name, figure in first.items():
        other = most[name]
        if other.ms >= MIN_MS and other.ms > MAX_RATIO * figure.ms:
            problems.append(f"{name}: {other.ms / figure.ms:.2f} times as long")
        if other.queries > figure.queries:
            problems.append(f"{name}: {figure.queries} queries, then {other.queries}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--services", type=int, nargs="+", default=[1, 10, 50], help="counts of services"
    )
    parser.add_argument("--people", type=int, default=2000, help="people in each service")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per page")
    parser.add_argument(
        "--smoke", action="store_true", help="print the verdict but exit 0 (the suite's run)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the database for EXPLAIN (not dropped)"
    )
    args = parser.parse_args()
    counts = sorted(set(args.services))
    os.environ["BENCH_ADMIN_URL"] = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    _setup()
    try:
        problems = _run(counts, args.people, args.runs)
    finally:
        if not args.keep:
            _drop_database()
    if problems:
        print("\nSLOWER OR MORE QUERIES WITH MORE SERVICES:")
        for problem in problems:
            print(f"  {problem}")
        if not args.smoke:
            sys.exit(1)
    else:
        print(f"\nno page slows down (more than {MAX_RATIO}x) or makes more queries")


def _run(counts: list[int], people: int, runs: int) -> list[str]:
    from django.db import connection

    from pathways.accounts.models import Service
    from pathways.participants.models import Participant
    from pathways.referrals.models import Referral

    started = time.perf_counter()
    _first_service(people)
    print(f"built the first service ({people:,} people) in {time.perf_counter() - started:.1f} s")
    source = _source()
    results: dict[int, dict[str, Figure]] = {}
    for count in counts:
        started = time.perf_counter()
        while Service.objects.count() < count:
            _copy(source, Service.objects.count() + 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{count} services: {Participant.objects.count():,} people, "
            f"{Referral.objects.count():,} referrals "
            f"(made in {time.perf_counter() - started:.1f} s)"
        )
        results[count] = _measure(runs)
    first, most = results[counts[0]], results[counts[-1]]
    print(f"\nthe first service's pages, median of {runs} runs, milliseconds")
    heads = "".join(f"{f'{c} svc':>10}" for c in counts)
    print(f"{'page':44}{heads}{'ratio':>8}{'queries':>9}{'':>5}")
    for name in first:
        times = "".join(f"{results[c][name].ms:10.1f}" for c in counts)
        ratio = most[name].ms / first[name].ms
        print(f"{name:44}{times}{ratio:8.2f}{first[name].queries:9}{most[name].queries:5}")
    return _verdict(first, most)


if __name__ == "__main__":
    main()
