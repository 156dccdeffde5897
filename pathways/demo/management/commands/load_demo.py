"""Load the demo: the Staffordshire and Stoke-on-Trent service, its people and referrals,
employers and placements, probation extracts, equality answers, the contract and the
figures (each part in its own module of pathways/demo/, called here in order).

Idempotent: a second run finds the service and changes nothing. Every record is made
through the same services the pages use, so the audit trail and timelines are real.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from pathways.demo import (
    accounts,
    contracts,
    convictions,
    equality,
    imports,
    outcomes,
    placements,
    referrals,
)
from pathways.demo.accounts import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if accounts.loaded():
            self.stdout.write("Demo data already loaded.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            "Demo sign-ins at /accounts/login/ (password "
            f"{DEMO_PASSWORD}): " + ", ".join(username for username, *_ in USERS)
        )

    def _load(self) -> None:
        service, users = accounts.load()
        referrals.load(service, users)
        now = timezone.now().replace(hour=10, minute=0)
        placements.load(service, users, end=now)
        imports.load(service, users)
        equality.load(service, users)
        convictions.load(service, users, today=now.date())
        contracts.load(service, users)
        outcomes.load(service, users, end=now)  # last: it generates a board report
