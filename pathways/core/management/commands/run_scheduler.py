"""Run the periodic jobs (pathways/core/scheduler.py): loop, each ``--interval`` seconds
running what is due, or ``--once`` (from cron each minute). Two at once run each job once."""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from pathways.core import scheduler

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs that are due, in a loop (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between looks (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self._run()
            return
        self.running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Scheduler running: {', '.join(sorted(scheduler.JOBS))}")
        while self.running:
            self._run()
            deadline = time.monotonic() + options["interval"]
            while self.running and time.monotonic() < deadline:
                time.sleep(0.2)

    def _run(self) -> None:
        # A dropped database connection is replaced, as between a web server's requests.
        close_old_connections()
        try:
            scheduler.run_due()
        except Exception:  # the database may be away for a moment: try again next time
            logger.exception("The scheduler could not run its jobs; trying again")
        finally:
            close_old_connections()
