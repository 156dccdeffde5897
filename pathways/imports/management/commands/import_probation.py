"""Import a probation extract from the command line, with a progress bar on stderr.

    python manage.py import_probation orders extract.csv [--dry-run] [--service SLUG]
        [--user USERNAME]

Exits 0 when the file was imported (or checked, or already imported), 1 when the file
has errors (printed, nothing changed), was too large to import, or the import failed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.imports.models import BatchStatus, Kind
from pathways.imports.services import import_file

PRINTED_ERRORS = 50


class ProgressBar:
    """``Checking [#######.............]  35% 350,000/1,000,000`` on one line of stderr,
    redrawn at most ten times a second."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < 0.1 and done < total:
            return
        if self.phase and phase != self.phase:
            self.stream.write("\n")
        self.phase, self.last = phase, now
        share = min(done / total, 1.0) if total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{phase:<9} [{bar}] {share:4.0%} {done:,}/{total:,}")
        self.stream.flush()

    def close(self) -> None:
        if self.phase:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import a probation extract (CSV or XLSX): orders, offences, ete_need or cohort."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count only.")
        parser.add_argument("--service", help="The service's slug (needed if there are several).")
        parser.add_argument("--user", help="Record the import as made by this user.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        service = self._service(options["service"])
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}")
        bar = None if options["no_progress"] else ProgressBar(self.stderr._out)
        try:
            batch = import_file(
                actor=user,
                service=service,
                kind=options["kind"],
                path=path,
                dry_run=options["dry_run"],
                progress=bar,
            )
        finally:
            if bar:
                bar.close()
        verb = "would be " if batch.dry_run else ""
        self.stdout.write(f"Import {batch.pk}: {batch.get_status_display()}")
        if batch.status == BatchStatus.DUPLICATE and batch.matched:
            self.stdout.write(
                f"Same content as import {batch.matched.pk} ({batch.matched.file_name}, "
                f"{timezone.localtime(batch.matched.uploaded_at):%Y-%m-%d %H:%M}): nothing "
                "changed."
            )
        self.stdout.write(
            f"{batch.total_rows:,} rows: {batch.created:,} {verb}created, "
            f"{batch.updated:,} {verb}updated, {batch.unchanged:,} unchanged, "
            f"{batch.skipped_unknown:,} skipped (CRN not known), {batch.error_count:,} errors"
        )
        for error in batch.report.get("errors", [])[:PRINTED_ERRORS]:
            where = f"row {error['row']}" + (f", {error['column']}" if error["column"] else "")
            value = f" {error['value']!r}" if error["value"] else ""
            self.stderr.write(f"  {where}:{value} expected {error['expected']}")
        if batch.error_count > PRINTED_ERRORS:
            self.stderr.write(
                f"  ... and {batch.error_count - PRINTED_ERRORS:,} more "
                f"(all kept errors on the import's page)"
            )
        if batch.status == BatchStatus.FAILED:
            self.stderr.write(f"  {batch.report.get('failure', '')}")
        if batch.status in (BatchStatus.REJECTED, BatchStatus.FAILED, BatchStatus.TOO_LARGE):
            sys.exit(1)

    @staticmethod
    def _service(slug: str | None) -> Service:
        if slug:
            service = Service.objects.filter(slug=slug).first()
            if service is None:
                raise CommandError(f"No service {slug!r}")
            return service
        services = list(Service.objects.all()[:2])
        if len(services) != 1:
            raise CommandError("Give --service SLUG (there is not exactly one service).")
        return services[0]
