"""Work out every distance-travelled reading's kept total and span again from its scores.

    python manage.py rebuild_reading_totals

``plans.services.reading_record`` keeps them as it records a reading; run this after
readings were written any other way (SQL, a restore). One statement; figures only, no
person is named.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pathways.plans.services import reading_totals_rebuild


class Command(BaseCommand):
    help = "Work out every reading's total and span again from its scores."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reading_totals_rebuild()
        self.stdout.write(f"{count} readings: total and span worked out from their scores.")
