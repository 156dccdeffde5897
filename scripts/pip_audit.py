"""Run pip-audit on the pinned runtime dependencies, or say clearly why it cannot run.

pip-audit asks PyPI's JSON API for the known vulnerabilities of each pinned version.
Where that service cannot be reached (a machine that sees only a package mirror), this
prints why and exits 0, so CI does not fail for want of a network; where it can, any known
vulnerability fails the check (exit 1). Dependencies missing from PyPI are reported and
skipped rather than failing it (``--strict`` is not used): only real findings fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

PROBE = "https://pypi.org/pypi/django/5.2.19/json"
REPO = Path(__file__).resolve().parent.parent


def service_reachable() -> str | None:
    """None when PyPI's vulnerability data answers; else why not."""
    try:
        with urllib.request.urlopen(PROBE, timeout=15) as response:
            if "vulnerabilities" in json.load(response):
                return None
            return "PyPI's JSON API answered without vulnerability data"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"PyPI's JSON API cannot be reached ({error})"


def main() -> int:
    reason = service_reachable()
    if reason:
        print(f"pip-audit skipped: {reason}. Run `make security` where pypi.org is reachable.")
        return 0
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--requirement",
        str(REPO / "requirements.txt"),
        "--no-deps",  # every dependency is pinned in the file itself
        "--disable-pip",
        "--progress-spinner",
        "off",
    ]
    return subprocess.call(command)  # noqa: S603 - fixed command


if __name__ == "__main__":
    sys.exit(main())
