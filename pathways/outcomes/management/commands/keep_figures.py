"""Keep the figures of closed periods by hand (the nightly job does the same with
``--recount``): docs/measures.md "Kept figures".

    python manage.py keep_figures [--service SLUG] [--recount]

Counts, as at its last day, every contract year, half-year and quarter that the pages offer
and that has ended, for every service (or the one given), and keeps what is not kept yet
(or kept in an older shape). With ``--recount`` every period is counted again and its kept
figures replaced where a correction changed them, with one audit event per period
changed. Every total of several services already kept for those periods that counts one of
the services is kept or counted again the same way (``kept.keep_all``), and tallied apart.
Prints counts only: no figure, no person.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathways.accounts.models import Service
from pathways.outcomes.kept import keep_all


class Command(BaseCommand):
    help = "Keep (or with --recount, count again) the figures of the named periods that have ended."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", help="the service's slug (default: every service)")
        parser.add_argument(
            "--recount",
            action="store_true",
            help="count every period again and replace the kept figures that changed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("service")
        services = list(Service.objects.order_by("pk"))
        if slug:
            services = [service for service in services if service.slug == slug]
            if not services:
                raise CommandError(f"No service has the slug {slug!r}.")
        tally = keep_all(services, recount_kept=options["recount"])
        self.stdout.write(f"Periods of {len(services)} service(s): {tally}.")
