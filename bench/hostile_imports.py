"""Time and peak memory of hostile spreadsheets going through the import (SQLite).

Each case is built at run time (small on disk: the bomb is about 1 MB), then imported with
``pathways.imports.services.import_file`` in a child process of its own, so each peak is
that case's alone. Prints, per case: the file's size on disk, what it inflates to, the
import's outcome, wall time and the child's peak resident memory (``ru_maxrss``).

    .venv/bin/python bench/hostile_imports.py [--cases bomb,shared] [--limit-mb 2048]

``--limit-mb`` runs each child under an address-space limit (RLIMIT_AS), as a worker with
a memory limit would be.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GIB = 1 << 30
CASES = {
    "bomb": "a 1 MB XLSX whose one cell inflates to 1 GB",
    "shared": "a shared strings table of 60 million strings (about 1 GB inflated)",
    "rows": "an XLSX of 2 million rows (a row bomb, about 250 MB inflated)",
}


def _build(case: str, directory: Path) -> Path:
    from pathways.imports.tests import helpers

    if case == "bomb":
        return helpers.crafted_xlsx(directory, helpers.huge_cell_sheet(GIB), name="bomb.xlsx")
    if case == "shared":
        return helpers.crafted_xlsx(
            directory,
            helpers.shared_sheet(),
            shared_strings=helpers.shared_strings_bomb(60_000_000),
            name="shared.xlsx",
        )
    if case == "rows":
        return helpers.crafted_xlsx(directory, helpers.many_rows_sheet(2_000_000), name="rows.xlsx")
    raise SystemExit(f"Unknown case {case}")


def _child(case: str, limit_mb: int | None) -> None:
    directory = Path(tempfile.mkdtemp(prefix="pathways-hostile-"))
    os.environ.pop("DATABASE_URL", None)  # always a SQLite file of its own
    os.environ["SQLITE_PATH"] = str(directory / "db.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pathways.accounts.models import Service
    from pathways.imports.services import import_file

    service = Service.objects.create(name="Bench", slug="bench")
    path = _build(case, directory)
    inflated = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if limit_mb:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
    start = time.monotonic()
    outcome = "?"
    try:
        batch = import_file(actor=None, service=service, kind="orders", path=path)
        message = (batch.report.get("errors") or [{}])[0].get("expected", "")
        outcome = f"{batch.status}: {message or batch.report.get('failure', '')}"[:150]
    except BaseException as error:  # noqa: BLE001 - the bench reports whatever happened
        outcome = f"raised {type(error).__name__}: {error}"[:150]
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "case": case,
                "on_disk_mb": round(path.stat().st_size / 1e6, 2),
                "inflated_mb": round(inflated / 1e6),
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak / 1024),
                "rss_before_import_mb": round(before / 1024),
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--limit-mb", type=int, default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per case")
    options = parser.parse_args()
    if options.child:
        _child(options.child, options.limit_mb)
        return
    for case in options.cases.split(","):
        command = [sys.executable, __file__, "--child", case]
        if options.limit_mb:
            command += ["--limit-mb", str(options.limit_mb)]
        print(f"# {case}: {CASES[case]}", flush=True)
        try:
            done = subprocess.run(  # noqa: S603 - this script, with its own arguments
                command, capture_output=True, text=True, timeout=options.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            print(f"  still running after {options.timeout} s: stopped")
            continue
        lines = done.stdout.strip().splitlines()
        print("  " + (lines[-1] if lines else f"exit {done.returncode}: {done.stderr[-300:]}"))


if __name__ == "__main__":
    main()
