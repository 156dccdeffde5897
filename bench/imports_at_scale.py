"""How fast a probation extract goes in, and how much memory it takes (PostgreSQL).

Builds a database of its own (``pathways_imports_bench``, dropped and made anew) with
``--people`` people referred to one service (made in SQL), writes an orders extract of
``--rows`` rows for them (CSV, streamed to a temporary file), then:

1. imports it through ``pathways.imports.services.import_file`` (check pass + apply pass
   in one transaction), printing rows per second and the process's peak memory;
2. imports it again with one row more (a new checksum, so the rows are matched on their
   natural keys: every row "unchanged" but one);
3. loads the same file with PostgreSQL ``COPY`` into an unlogged staging table of text
   columns: the floor (no parsing, no checks, no lookups), and the ratio to it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/imports_at_scale.py [--rows 1000000] [--people 100000]

Peak memory is ``ru_maxrss`` of this process (the high-water mark: run two sizes in two
processes to see that it does not grow with the file), and the Python heap's own peak
during the import from ``tracemalloc`` when ``--tracemalloc`` is given (slower).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "pathways_imports_bench"
TYPES = ["community order", "licence", "suspended sentence order", "post-sentence supervision"]
ENDINGS = ["completed", "breach", "new offence", "revoked", "other"]


def _setup_django() -> None:
    import psycopg

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + DATABASE
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _people(count: int) -> None:
    from django.db import connection

    from pathways.accounts.models import Area, Patch, Service, User
    from pathways.core.roles import Role

    service = Service.objects.create(name="Bench", slug="bench", capacity=30)
    patch = Patch.objects.create(service=service, name="North")
    area = Area.objects.create(patch=patch, name="Bench area")
    referrer = User.objects.create(username="referrer", role=Role.REFERRER, service=service)
    User.objects.create(username="manager", role=Role.MANAGER, service=service)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH people AS (
              INSERT INTO participants_participant
                (first_name, last_name, date_of_birth, crn, pnc_id, prison_number, gender,
                 phone, email, address, area_id, location, created_at, created_by_id,
                 processing_restricted_reason)
              SELECT 'Person' || g, 'Surname', date '1980-01-01' + (g %% 9000),
                     'B' || lpad(g::text, 6, '0'), '', '', 'man', '', '', '', %(area)s,
                     'community', now(), %(referrer)s, ''
              FROM generate_series(1, %(n)s) AS g
              RETURNING id
            )
            INSERT INTO referrals_referral
              (service_id, participant_id, patch_id, referred_by_id, source, cohort, order_type,
               prison_name, reason, ete_needs, risk_information, risk_flags,
               accessibility_needs, interpreter_language, consent_given, consent_date,
               received_at, accepted_at, started_at, override_reason, decline_note, end_note,
               closing_summary, order_ended_reason, held_matches, hold_resolution, hold_reason,
               proposed_changes)
            SELECT %(service)s, id, %(patch)s, %(referrer)s, 'probation', 'iom',
                   'community_order', '', 'Bench', 'Bench', '', '[]', '', '', true,
                   current_date, now(), now(), now(), '', '', '', '', '', '[]', '', '', '{}'
            FROM people
            """,
            {
                "n": count,
                "area": area.pk,
                "referrer": referrer.pk,
                "service": service.pk,
                "patch": patch.pk,
            },
        )
        cursor.execute("ANALYZE")


def _write_extract(path: Path, rows: int, people: int, extra: int = 0) -> None:
    """``rows`` orders spread over the people, each with its own start date (so each row
    is its own order); every other one ended."""
    base = datetime.date(2015, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "crn",
                "order_type",
                "start_date",
                "expected_end_date",
                "actual_end_date",
                "termination",
            ]
        )
        for i in range(rows + extra):
            person = i % people + 1
            start = base + datetime.timedelta(days=i // people)
            ended = i % 2 == 0
            writer.writerow(
                [
                    f"B{person:06d}",
                    TYPES[i % len(TYPES)],
                    start.isoformat() if i % 3 else start.strftime("%d/%m/%Y"),
                    (start + datetime.timedelta(days=365)).isoformat(),
                    (start + datetime.timedelta(days=200)).isoformat() if ended else "",
                    ENDINGS[i % len(ENDINGS)] if ended else "",
                ]
            )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import(path: Path, rows: int, trace: bool) -> tuple[float, float | None, object]:
    from pathways.accounts.models import Service, User
    from pathways.imports.services import import_file

    service = Service.objects.get(slug="bench")
    manager = User.objects.get(username="manager")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    batch = import_file(actor=manager, service=service, kind="orders", path=path)
    elapsed = time.perf_counter() - started
    heap = None
    if trace:
        heap = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return elapsed, heap, batch


def _copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS staging_orders (crn text, order_type text, "
            "start_date text, expected_end_date text, actual_end_date text, termination text)"
        )
        cursor.execute("TRUNCATE staging_orders")
        started = time.perf_counter()
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        sql = "COPY staging_orders FROM STDIN WITH (FORMAT csv, HEADER true)"
        with raw.copy(sql) as copy, path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                copy.write(block)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    _setup_django()
    _people(args.people)
    from pathways.outcomes.models import Order

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "orders.csv"
        _write_extract(path, args.rows, args.people)
        size_mb = path.stat().st_size / 1024 / 1024
        before = _rss_mb()
        print(f"{args.rows:,} order rows for {args.people:,} people; file {size_mb:.0f} MB")
        print(f"process memory before the import: {before:.0f} MB (peak RSS)")

        elapsed, heap, batch = _import(path, args.rows, args.tracemalloc)
        status = getattr(batch, "status", "?")
        assert status == "done", (status, getattr(batch, "report", None))
        assert Order.objects.count() == args.rows
        rate = args.rows / elapsed
        print(
            f"import (check + apply, new rows):  {elapsed:7.1f} s  {rate:9,.0f} rows/s  "
            f"peak RSS {_rss_mb():.0f} MB" + (f"  Python heap peak {heap:.1f} MB" if heap else "")
        )

        again = Path(directory) / "orders-again.csv"
        _write_extract(again, args.rows, args.people, extra=1)
        elapsed2, heap2, batch2 = _import(again, args.rows + 1, args.tracemalloc)
        assert getattr(batch2, "unchanged", 0) == args.rows and getattr(batch2, "created", 0) == 1
        print(
            f"re-import (all matched, unchanged): {elapsed2:7.1f} s  "
            f"{(args.rows + 1) / elapsed2:9,.0f} rows/s  peak RSS {_rss_mb():.0f} MB"
            + (f"  Python heap peak {heap2:.1f} MB" if heap2 else "")
        )

        copy_elapsed = _copy(path)
        copy_rate = args.rows / copy_elapsed
        print(
            f"PostgreSQL COPY into staging:       {copy_elapsed:7.1f} s  {copy_rate:9,.0f} rows/s  "
            "(memory: server side; client streams 1 MB blocks)"
        )
        print(f"import / COPY time: {elapsed / copy_elapsed:.1f}x")


if __name__ == "__main__":
    main()
