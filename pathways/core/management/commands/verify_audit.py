"""Prove the audit trail: walk the hash chain from the first event to the last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathways.core.audit import GENESIS, event_hash
from pathways.core.models import AuditEvent

FIELDS = (
    "id",
    "at",
    "actor_id",
    "kind",
    "action",
    "object_type",
    "object_id",
    "subject_id",
    "episode_id",
    "summary",
    "detail",
    "prev_hash",
    "hash",
)


class Command(BaseCommand):
    help = (
        "Check that every audit event is chained to the one before and that no event has "
        "been changed. Exits non-zero naming the first broken event."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="Rows read per query.")

    def handle(self, *args: Any, **options: Any) -> None:
        prev_hash = GENESIS
        checked = 0
        rows = AuditEvent.objects.order_by("id").values(*FIELDS)
        for row in rows.iterator(chunk_size=options["batch"]):
            if row["prev_hash"] != prev_hash:
                raise CommandError(
                    f"Audit chain broken at event {row['id']}: it does not follow the event "
                    "before it (an event was removed or inserted)."
                )
            if event_hash(row, prev_hash) != row["hash"]:
                raise CommandError(
                    f"Audit chain broken at event {row['id']}: its contents do not match its "
                    "hash (the event was changed)."
                )
            prev_hash = row["hash"]
            checked += 1
        self.stdout.write(f"Audit chain intact: {checked} events checked.")
