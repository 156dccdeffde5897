"""Reads about the service's own security: refusals flagged for the administrator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.models import AuditEvent, AuditKind


@dataclass(frozen=True)
class RefusalFlag:
    user: User
    refusals: int
    last_at: datetime.datetime


def refusal_flags(*, window: datetime.timedelta | None = None) -> list[RefusalFlag]:
    """Users refused REFUSAL_FLAG_THRESHOLD times or more in the last hour (or ``window``),
    most refusals first: someone probing records outside their scope, or a broken link."""
    since = timezone.now() - (window or datetime.timedelta(hours=1))
    counts = (
        AuditEvent.objects.filter(kind=AuditKind.REFUSAL, at__gte=since, actor__isnull=False)
        .values("actor")
        .annotate(refusals=Count("id"), last_at=Max("at"))
        .filter(refusals__gte=settings.REFUSAL_FLAG_THRESHOLD)
        .order_by("-refusals", "actor")
    )
    users = User.objects.in_bulk([row["actor"] for row in counts])
    return [RefusalFlag(users[row["actor"]], row["refusals"], row["last_at"]) for row in counts]
