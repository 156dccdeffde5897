"""Print (and log) the id and hash of the latest audit event: an anchor to keep outside the
database, so that rewriting the whole chain (which the database's owner could do) shows.
Run it from cron, e.g. hourly, appending to write-once storage or a separate log service;
``verify_audit --anchors FILE`` checks the chain against what was kept."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pathways.core.models import AuditEvent

logger = logging.getLogger("pathways.audit")


class Command(BaseCommand):
    help = "Print the latest audit event's id and hash, as a JSON line to keep elsewhere."

    def handle(self, *args: Any, **options: Any) -> None:
        latest = AuditEvent.objects.order_by("-id").values("id", "at", "hash").first()
        if latest is None:
            raise CommandError("There are no audit events to anchor yet.")
        anchor = json.dumps(
            {"id": latest["id"], "at": latest["at"].isoformat(), "hash": latest["hash"]}
        )
        # Ids and a hash only: nothing personal (the log is kept apart from the database).
        logger.info("audit anchor %s", anchor)
        self.stdout.write(anchor)
