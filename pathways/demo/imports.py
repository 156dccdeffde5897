"""Demo extracts: orders, proven offences, OASys ETE need and the IOM cohort list for the
demo people, generated as CSV and taken in through the real import (so measures 7 and 8,
the person's page and the cohort rate have data)."""

from __future__ import annotations

import csv
import datetime
import tempfile
from pathlib import Path

from pathways.accounts.models import Service, User
from pathways.imports.kinds import SPECS
from pathways.imports.models import Kind
from pathways.imports.services import import_file
from pathways.participants.models import Participant
from pathways.referrals.models import Referral

# How orders end, in turn ("" still running). An order ends "new offence" only for a person
# convicted of one while on it (``load``), on the day of the conviction.
TERMINATIONS = ["completed", "completed", "completed", "breach", "completed", ""]


def _write(directory: Path, kind: str, rows: list[list[str]]) -> Path:
    path = directory / f"demo-{kind}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in SPECS[kind].columns])
        writer.writerows(rows)
    return path


def load(service: Service, users: dict[str, User]) -> None:
    manager = users["manager"]
    people = list(
        Participant.objects.filter(
            crn__isnull=False,
            pk__in=Referral.objects.filter(service=service, started_at__isnull=False).values(
                "participant_id"
            ),
        ).order_by("pk")
    )
    orders, offences, ete, cohort = [], [], [], []
    for i, person in enumerate(people):
        crn = str(person.crn)
        start = datetime.date(2022, 6, 1) + datetime.timedelta(days=17 * i)
        offended = i % 4 == 1
        convicted = i % 8 == 1
        committed = start + datetime.timedelta(days=120)
        proven = committed + datetime.timedelta(days=40)
        termination = "new offence" if convicted else TERMINATIONS[i % len(TERMINATIONS)]
        end: datetime.date | None = None
        if termination:
            end = proven if convicted else start + datetime.timedelta(days=300)
        orders.append(
            [
                crn,
                "community order" if i % 3 else "licence",
                start.isoformat(),
                (start + datetime.timedelta(days=365)).strftime("%d/%m/%Y"),
                end.isoformat() if end else "",
                termination,
            ]
        )
        if offended:
            offences.append(
                [
                    crn,
                    committed.isoformat(),
                    proven.isoformat(),
                    "conviction" if convicted else "caution",
                    "theft" if i % 2 else "public_order",
                    "Community order" if convicted else "Conditional caution",
                ]
            )
        ete.append(
            [
                crn,
                (start - datetime.timedelta(days=30)).isoformat(),
                "no" if i % 4 == 3 else "yes",
                str(3 + i % 7),
            ]
        )
        if i % 5 != 4:
            cohort.append([crn, "IOM", (start - datetime.timedelta(days=60)).isoformat()])
    with tempfile.TemporaryDirectory() as directory:
        for kind, rows in (
            (Kind.ORDERS, orders),
            (Kind.OFFENCES, offences),
            (Kind.ETE_NEED, ete),
            (Kind.COHORT, cohort),
        ):
            import_file(
                actor=manager,
                service=service,
                kind=kind,
                path=_write(Path(directory), kind, rows),
            )
