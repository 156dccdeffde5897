"""Prove the audit trail: walk the hash chain from its first event to its last, and check
the anchors kept outside the database (``audit_anchor``) against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathways.core.audit import AUDIT_PURGED, GENESIS, event_hash
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


def chain_start() -> tuple[str, int]:
    """Where the chain starts: the genesis, or, after the retention purge deleted old
    events, the hash and id of the last event deleted (kept in the latest ``audit.purged``
    event, which is itself in the chain)."""
    checkpoint = (
        AuditEvent.objects.filter(action=AUDIT_PURGED, object_type="core.auditevent")
        .order_by("-id")
        .values_list("detail", flat=True)
        .first()
    )
    if checkpoint is None:
        return GENESIS, 0
    return checkpoint["through_hash"], checkpoint["through_id"]


def check_anchors(path: Path, purged_through: int) -> tuple[int, int]:
    """Every anchor (one JSON object a line: id and hash) must name an event that still has
    that hash, unless the retention purge has deleted it. (checked, before the purge)"""
    checked = purged = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchor = json.loads(line)
            event_id, digest = int(anchor["id"]), str(anchor["hash"])
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Anchor file line {number} is not an anchor: {error}") from None
        if event_id <= purged_through:
            purged += 1
            continue
        held = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
        if held != digest:
            raise CommandError(
                f"Audit chain does not match anchor on line {number}: event {event_id} "
                + ("is missing." if held is None else "has a different hash (rewritten).")
            )
        checked += 1
    return checked, purged


class Command(BaseCommand):
    help = (
        "Check that every audit event is chained to the one before and that no event has "
        "been changed, and (with --anchors) that the chain still holds the anchors kept "
        "outside the database. Exits non-zero naming the first broken event."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="Rows read per query.")
        parser.add_argument(
            "--anchors",
            type=Path,
            help="A file of anchors written by audit_anchor (one JSON object a line).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        prev_hash, purged_through = chain_start()
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
        start = f" after event {purged_through} (older events purged)" if purged_through else ""
        self.stdout.write(f"Audit chain intact: {checked} events checked{start}.")
        if options["anchors"]:
            anchored, gone = check_anchors(options["anchors"], purged_through)
            self.stdout.write(
                f"Anchors matched: {anchored}"
                + (f" ({gone} older than the purged events, not checkable)." if gone else ".")
            )
