"""Every bench under bench/ runs at a tiny size, so a bench that breaks fails the suite.

The benches build databases of their own on PostgreSQL (they drop and make them anew), so
they run in the PostgreSQL pass of the suite and are skipped on SQLite. Each runs in seconds
at these sizes; its figures mean nothing here, only that it still runs to the end and (where
it checks its figures against hand-written SQL) that they agree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "bench"

# Each bench, with the arguments that make it tiny.
SMOKE = {
    # One bomb (built at run time, about 1 MB on disk), imported on a SQLite file of its own.
    "hostile_imports.py": ["--cases", "bomb"],
    "imports_at_scale.py": ["--rows", "2000", "--people", "300"],
    # Without locust (not in the project's .venv): each role reads its pages a few times.
    "load.py": ["--smoke"],
    # Two services (and the national total), and pandas where .venv/bench has it.
    "measures_at_scale.py": ["--participants", "300", "--services", "2", "--runs", "1"],
    # --smoke: its verdict (no page slower with more services) means nothing at this size.
    "pages_by_services.py": ["--services", "1", "2", "--people", "30", "--runs", "1", "--smoke"],
    "referrals_at_scale.py": ["--small", "1", "--large", "2", "--runs", "1"],
    "spent_dates_at_scale.py": ["--people", "200", "--runs", "1"],
}


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the benches need PostgreSQL (set DATABASE_URL)")
    return url


def test_every_bench_has_a_smoke_run() -> None:
    assert sorted(path.name for path in BENCH.glob("*.py")) == sorted(SMOKE)


@pytest.mark.postgres_only
# One worker runs them all, one after another: under pytest-xdist (make test) two benches
# building databases at once would only slow each other down.
@pytest.mark.xdist_group("benches")
@pytest.mark.parametrize("script", sorted(SMOKE))
def test_bench_runs_at_a_tiny_size(script: str) -> None:
    env = {**os.environ, "DATABASE_URL": _postgres_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(BENCH / script), *SMOKE[script]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
