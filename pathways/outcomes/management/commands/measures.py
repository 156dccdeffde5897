"""Every measure for a period, for scripts and spreadsheets.

    python manage.py measures --period 2022-05-01:2022-10-31 [--service SLUG]
        [--format table|csv|json]

Figures only: no person is named. The CSV neutralises cells a spreadsheet would run.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathways.accounts.models import Service
from pathways.core import periods
from pathways.outcomes.selectors import MeasureResult, measures_for_period

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
        service = self._service(options.get("service"))
        rows = [_row(result) for result in measures_for_period(service, period)]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {"service": service.slug, "period": period.key, "measures": rows}, indent=2
                )
            )
        elif options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(FIELDS)
            for row in rows:
                first = row["targets"][0] if row["targets"] else {}
                writer.writerow(
                    [row[name] for name in FIELDS[:6]]
                    + [first.get("value", ""), row["status"] or ""]
                )
        else:
            self.stdout.write(f"{service.name}: {period}")
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

    @staticmethod
    def _service(slug: str | None) -> Service:
        if slug:
            found = Service.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No service has the slug {slug!r}.")
            return found
        services = list(Service.objects.order_by("slug")[:2])
        if len(services) != 1:
            raise CommandError("Give --service SLUG: there is not exactly one service.")
        return services[0]
