"""How fast a probation extract goes in, against PostgreSQL's own COPY of the same file, and
how much memory it takes (PostgreSQL).

Builds a database of its own (``--database``, dropped and made anew) with ``--people``
people referred to one service (made in SQL). For each size in ``--sizes`` it writes an
orders extract of that many rows (CSV, streamed to a temporary file; every row its own
order, a third of the starts in UK form, every other order ended) and, in a process of its
own (so that its peak RSS is that size's alone):

1. imports it through ``pathways.imports.services.import_file`` ``--runs`` times (every row
   created; the orders and the import's history are emptied between runs), timing each;
2. loads the same file with ``COPY`` into an unlogged staging table of text columns, as
   many times: the floor (no parsing, no checks, no lookups, no indexes);
3. imports it once more under ``tracemalloc``: the Python heap's peak during the import;
4. imports it again with its first row changed (a new checksum: every row matched on its
   natural key, all "unchanged" but one "updated").

It prints, per size, the medians, the ratio import / COPY (the goal: at most 3 times at
1,000,000 rows) and the memory (the goal: the same peak at every size). Beside them, the
write floor ("write"): the same orders, already typed and matched to their people, loaded
with COPY into ``outcomes_order`` itself (its four indexes, two checks and two foreign
keys) and committed, and the import's ratio to that.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/imports_at_scale.py [--sizes 100000 1000000] [--runs 5]

``--runs-large`` sets the runs for sizes of a million rows and more (they take minutes on a
small machine); ``--stream`` also times the streaming path (the one SQLite takes) once per
size, for comparison. ``--rows N`` is ``--sizes N`` (one size).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TYPES = ["community order", "licence", "suspended sentence order", "post-sentence supervision"]
ENDINGS = ["completed", "breach", "new offence", "revoked", "other"]
GOAL_RATIO = 3.0


def _admin_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _database_url(database: str) -> str:
    return _admin_url().rsplit("/", 1)[0] + "/" + database


def _make_database(database: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database}")
        conn.execute(f"CREATE DATABASE {database}")


def _setup_django(database: str, *, migrate: bool) -> None:
    os.environ["DATABASE_URL"] = _database_url(database)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    if migrate:
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


def _write_extract(path: Path, rows: int, people: int, *, changed: int = 0) -> None:
    """``rows`` orders spread over the people, each with its own start date (so each row
    is its own order); every other one ended. The first ``changed`` rows are due to end a
    day later (a later extract of the same orders)."""
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
        for i in range(rows):
            person = i % people + 1
            start = base + datetime.timedelta(days=i // people)
            ended = i % 2 == 0
            writer.writerow(
                [
                    f"B{person:06d}",
                    TYPES[i % len(TYPES)],
                    start.isoformat() if i % 3 else start.strftime("%d/%m/%Y"),
                    (start + datetime.timedelta(days=365 + (i < changed))).isoformat(),
                    (start + datetime.timedelta(days=200)).isoformat() if ended else "",
                    ENDINGS[i % len(ENDINGS)] if ended else "",
                ]
            )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outcomes_order")
        cursor.execute("DELETE FROM imports_importbatch")


def _import(path: Path, method: str | None = None) -> tuple[float, Any]:
    from pathways.accounts.models import Service, User
    from pathways.imports.services import import_file

    service = Service.objects.get(slug="bench")
    manager = User.objects.get(username="manager")
    started = time.perf_counter()
    batch = import_file(actor=manager, service=service, kind="orders", path=path, method=method)
    return time.perf_counter() - started, batch


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


def _copy_into_orders(path: Path) -> float:
    """The write floor: the same orders, already typed and matched to their people, loaded
    with COPY into ``outcomes_order`` itself (its indexes, checks and foreign keys), and
    committed. ``path`` holds them as ``COPY ... TO`` wrote them; the table is emptied
    first."""
    from django.db import connection, transaction

    _empty()
    columns = (
        "participant_id, order_type, start_date, expected_end_date, actual_end_date, "
        "termination, source, source_ref, note, recorded_by_id, recorded_at"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"COPY outcomes_order ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy, path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                copy.write(block)
    return time.perf_counter() - started


def _typed_orders(path: Path) -> None:
    from django.db import connection

    columns = (
        "participant_id, order_type, start_date, expected_end_date, actual_end_date, "
        "termination, source, source_ref, note, recorded_by_id, recorded_at"
    )
    with connection.cursor() as cursor, path.open("wb") as handle:
        sql = f"COPY (SELECT {columns} FROM outcomes_order ORDER BY id) TO STDOUT"  # noqa: S608
        with cursor.cursor.copy(sql) as copy:
            for block in copy:
                handle.write(block)


def child(args: argparse.Namespace) -> None:
    """One size, in its own process: prints its figures as JSON on the last line."""
    _setup_django(args.database, migrate=False)
    from pathways.outcomes.models import Order

    path = Path(args.file)
    rows = args.size
    before = _rss_mb()
    imports: list[float] = []
    for _ in range(args.runs):
        _empty()
        elapsed, batch = _import(path)
        assert batch.status == "done", (batch.status, batch.report)
        assert batch.created == rows and Order.objects.count() == rows, batch.created
        imports.append(elapsed)
    copies = [_copy(path) for _ in range(args.runs)]
    typed = path.with_name(f"typed-{rows}.tsv")
    _typed_orders(typed)
    writes = [_copy_into_orders(typed) for _ in range(args.runs)]
    typed.unlink()
    rss_import = _rss_mb()
    _empty()
    tracemalloc.start()
    traced, batch = _import(path)
    heap = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    assert batch.status == "done", batch.report
    again = path.with_name(f"again-{rows}.csv")
    _write_extract(again, rows, args.people, changed=1)
    reimport, batch2 = _import(again)
    again.unlink()
    assert (batch2.unchanged, batch2.updated) == (rows - 1, 1), (batch2.status, batch2.report)
    stream = None
    if args.stream:
        _empty()
        stream, batch3 = _import(path, method="stream")
        assert batch3.status == "done", batch3.report
    print(
        json.dumps(
            {
                "imports": imports,
                "copies": copies,
                "writes": writes,
                "heap_mb": heap,
                "traced_s": traced,
                "rss_before_mb": before,
                "rss_mb": rss_import,
                "reimport_s": reimport,
                "stream_s": stream,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rows", type=int, help="one size (the same as --sizes N)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--runs-large", type=int, default=None)
    parser.add_argument("--database", default="pathways_imports_bench")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = [args.rows] if args.rows else args.sizes
    runs = 1 if args.rows and "--runs" not in sys.argv else args.runs

    _make_database(args.database)
    _setup_django(args.database, migrate=True)
    _people(args.people)
    from django.db import connection

    connection.close()
    print(f"{args.people:,} people; orders extracts; median of the runs (uptime below)")
    print(
        f"{'rows':>10} {'runs':>4} {'import s':>9} {'COPY s':>7} {'ratio':>6} "
        f"{'goal':>5} {'write s':>8} {'ratio':>6} {'heap peak':>10} {'RSS peak':>9} "
        f"{'re-import s':>11}" + (f" {'streaming s':>11}" if args.stream else "")
    )
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for size in sizes:
            path = Path(directory) / f"orders-{size}.csv"
            _write_extract(path, size, args.people)
            n = args.runs_large if args.runs_large and size >= 1_000_000 else runs
            done = subprocess.run(  # noqa: S603 - this script, fixed arguments
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--size",
                    str(size),
                    "--file",
                    str(path),
                    "--runs",
                    str(n),
                    "--people",
                    str(args.people),
                    "--database",
                    args.database,
                    *(["--stream"] if args.stream else []),
                ],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "DATABASE_URL": _admin_url()},
            )
            if done.returncode != 0:
                sys.stderr.write(done.stdout + done.stderr)
                raise SystemExit(done.returncode)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            path.unlink()
            imported = statistics.median(figures["imports"])
            copied = statistics.median(figures["copies"])
            ratio = imported / copied
            written = statistics.median(figures["writes"])
            results.append((size, ratio, figures))
            print(
                f"{size:>10,} {n:>4} {imported:>9.2f} {copied:>7.2f} {ratio:>5.1f}x "
                f"{GOAL_RATIO:>4.0f}x {written:>8.2f} {imported / written:>5.1f}x "
                f"{figures['heap_mb']:>8.1f}MB {figures['rss_mb']:>7.0f}MB "
                f"{figures['reimport_s']:>11.2f}"
                + (f" {figures['stream_s']:>11.1f}" if args.stream else "")
            )
            print(
                "           each run: import "
                + ", ".join(f"{t:.2f}" for t in figures["imports"])
                + "; COPY "
                + ", ".join(f"{t:.2f}" for t in figures["copies"])
                + "; write "
                + ", ".join(f"{t:.2f}" for t in figures["writes"])
                + f"; RSS before the imports {figures['rss_before_mb']:.0f}MB"
            )
    print(
        "goal: import / COPY at most 3x at 1,000,000 rows; memory flat (the same peak at "
        "every size). Today before this path: 285x at 200,000 rows, 339x at 400,000; heap "
        "peak 8.5 MB at 200k, 15.1 MB at 400k (issue 19)."
    )
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
