"""Reads about the service's own security, for the administrator: refusals flagged, and
changes of users' roles, services, patches and active flags."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.core.audit import ROLE_CHANGED
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.roles import Role

# How far back the administrator's page lists changes of users' access.
ROLE_CHANGES_DAYS = 30


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


@dataclass(frozen=True)
class AccessChange:
    """One field of an account's access, before and after (labels for the page)."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class RoleChange:
    at: datetime.datetime
    actor: User | None  # None: the system (a command, the retention purge)
    user: User | None  # None: an account since deleted
    user_id: int
    changes: list[AccessChange]


_FIELD_LABELS = {
    "role": "Role",
    "service_id": "Service",
    "patch_id": "Patch",
    "is_active": "Active",
}


def role_changes(*, days: int = ROLE_CHANGES_DAYS) -> list[RoleChange]:
    """Changes of users' role, service, patch or active flag in the last ``days`` days,
    newest first, from the audit trail (``user.role_changed`` events)."""
    since = timezone.now() - datetime.timedelta(days=days)
    events = list(
        AuditEvent.objects.filter(action=ROLE_CHANGED, at__gte=since)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    users = User.objects.in_bulk([int(event.object_id) for event in events])
    services = Service.objects.in_bulk()
    patches = Patch.objects.in_bulk()

    def label(field: str, value: Any) -> str:
        if value is None:
            return "None"
        if field == "role":
            return str(Role(value).label) if value in Role.values else str(value)
        if field == "service_id":
            return str(services.get(value, f"service {value}"))
        if field == "patch_id":
            return str(patches.get(value, f"patch {value}"))
        return "Yes" if value else "No"

    changes = []
    for event in events:
        before = event.detail.get("before") or {}
        after = event.detail.get("after") or {}
        fields = [
            AccessChange(
                name,
                label(field, before.get(field)) if before else "",
                label(field, after.get(field)),
            )
            for field, name in _FIELD_LABELS.items()
            if not before or before.get(field) != after.get(field)
        ]
        user_id = int(event.object_id)
        changes.append(RoleChange(event.at, event.actor, users.get(user_id), user_id, fields))
    return changes
