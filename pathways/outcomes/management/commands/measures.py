"""Every measure for a period, for scripts and spreadsheets.

    python manage.py measures --period 2022-05-01:2022-10-31 [--service SLUG]
        [--format table|csv|json]

Without ``--service``: every service, then the total of them all, counted over the
services together so that a person in two services counts once in it (a named period that
has ended is counted once as at its last day and kept, a service's figures and the total
alike: ``outcomes.kept``).
Figures only: no person is named. The CSV neutralises cells a spreadsheet would run.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathways.accounts.models import Service
from pathways.core import periods
from pathways.outcomes.selectors import MeasureResult, measures_for_period, measures_for_services

TOTAL = "total"
TOTAL_NAME = "All services (each person counted once)"
FIELDS = ["key", "number", "name", "value", "numerator", "denominator", "target", "status"]


def _row(result: MeasureResult) -> dict[str, Any]:
    figure = result.figure
    return {
        "key": result.measure.key,
        "number": result.measure.number,
        "name": result.measure.name,
        "value": figure.value,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "targets": [
            {"kind": t.kind, "value": float(t.value), "status": t.status} for t in result.targets
        ],
        "status": result.status or None,
    }


class Command(BaseCommand):
    help = "Print every measure for a period (table, CSV or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period", required=True, help="YYYY-MM-DD:YYYY-MM-DD, both days included"
        )
        parser.add_argument("--service", help="the service's slug (needed if there are several)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = periods.parse(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        slug = options.get("service")
        if slug:
            service = Service.objects.filter(slug=slug).first()
            if service is None:
                raise CommandError(f"No service has the slug {slug!r}.")
            blocks = [(service.slug, service.name, measures_for_period(service, period))]
        else:
            services = list(Service.objects.order_by("slug"))
            if not services:
                raise CommandError("There is no service.")
            each, total = measures_for_services(services, period)
            blocks = [(service.slug, service.name, results) for service, results in each]
            if len(services) > 1:
                blocks.append((TOTAL, TOTAL_NAME, total))
        self._write(options["format"], period, blocks)

    def _write(
        self, form: str, period: Any, blocks: list[tuple[str, str, list[MeasureResult]]]
    ) -> None:
        if form == "json":
            data = [
                {"service": slug, "measures": [_row(result) for result in results]}
                for slug, _name, results in blocks
            ]
            if len(data) == 1:
                self.stdout.write(json.dumps({**data[0], "period": period.key}, indent=2))
            else:
                self.stdout.write(json.dumps({"period": period.key, "services": data}, indent=2))
        elif form == "csv":
            # A service column only when there are several (the total's slug is "total").
            several = len(blocks) > 1
            writer = csv.writer(self.stdout)
            writer.writerow((["service"] if several else []) + FIELDS)
            for slug, _name, results in blocks:
                for row in map(_row, results):
                    first = row["targets"][0] if row["targets"] else {}
                    writer.writerow(
                        ([slug] if several else [])
                        + [row[name] for name in FIELDS[:6]]
                        + [first.get("value", ""), row["status"] or ""]
                    )
        else:
            for _slug, name, results in blocks:
                self.stdout.write(f"{name}: {period}")
                rows = [_row(result) for result in results]
                width = max(62, *(len(row["name"]) for row in rows))
                for row in rows:
                    shown = "\N{EN DASH}" if row["value"] is None else row["value"]
                    share = (
                        f" ({row['numerator']} of {row['denominator']})"
                        if row["denominator"] is not None and row["numerator"] is not None
                        else ""
                    )
                    status = f"  [{row['status']}]" if row["status"] else ""
                    self.stdout.write(f"  {row['name']:<{width}} {shown!s:>8}{share}{status}")
