"""Writing audit events: every view of a person's record, every change, every refusal,
and sign-in and security events.

This module is the only writer of ``AuditEvent`` (``_append``). Each event is chained to
the one before it: it stores the previous event's hash and its own, a SHA-256 over a
canonical serialisation of its fields and the previous hash (``event_hash``). Appending
takes a lock so that two transactions cannot both chain onto the same event: on
PostgreSQL a transaction-scoped advisory lock, on SQLite the write lock that every
transaction takes at its start (``transaction_mode = IMMEDIATE``). ``manage.py
verify_audit`` walks the chain; on PostgreSQL a trigger refuses UPDATE and DELETE.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from pathways.core.models import AuditEvent, AuditKind

__all__ = [
    "AuditKind",
    "audit",
    "audit_list",
    "audit_purge",
    "audit_refusal",
    "audit_security",
    "event_hash",
]

EPISODE = "referrals.referral"
# Any fixed number: the key of the advisory lock that serialises appends on PostgreSQL.
CHAIN_LOCK = 7_20_26
GENESIS = ""
# The event the retention purge appends before deleting old events: it records where the
# chain now starts (pathways.data_protection.retention.audit_events_purge).
AUDIT_PURGED = "audit.purged"
# A user's role, service, patch or active flag changed (pathways.accounts.models.User.save);
# the administrator's refusals page lists these events (pathways.core.selectors).
ROLE_CHANGED = "user.role_changed"


def canonical(fields: dict[str, Any]) -> str:
    """The fields of an event as one stable string (keys sorted, times in UTC)."""
    at = fields["at"]
    return json.dumps(
        {
            "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor_id": fields["actor_id"],
            "kind": fields["kind"],
            "action": fields["action"],
            "object_type": fields["object_type"],
            "object_id": fields["object_id"],
            "subject_id": fields["subject_id"],
            "episode_id": fields["episode_id"],
            "summary": fields["summary"],
            "detail": fields["detail"],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


def _append(**fields: Any) -> AuditEvent:
    """Add one event to the end of the chain (the only place that writes AuditEvent)."""
    # No savepoint: a failed append fails the transaction it belongs to.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        prev_hash = (
            AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        )
        # The time is taken under the lock, so events are in time order along the chain.
        fields["at"] = timezone.now()
        fields.setdefault("subject_id", None)
        fields.setdefault("episode_id", None)
        fields.setdefault("summary", "")
        fields["detail"] = fields.get("detail") or {}
        # The detail as it comes back from the database (JSON), so the hash can be re-checked.
        fields["detail"] = json.loads(json.dumps(fields["detail"]))
        return AuditEvent.objects.create(
            **fields, prev_hash=prev_hash, hash=event_hash(fields, prev_hash)
        )


def _actor_id(actor: Any) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def audit(
    *,
    actor: Any,
    kind: str,
    action: str,
    obj: models.Model,
    subject_id: int | None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    episode_id: int | None = None,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it records.

    ``episode_id`` is the referral the event belongs to: given, or the record itself when
    it is a referral, or the record's ``referral_id`` (a placement, a reading, a contact).
    """
    if episode_id is None:
        episode_id = (
            obj.pk if obj._meta.label_lower == EPISODE else getattr(obj, "referral_id", None)
        )
    return _append(
        actor_id=_actor_id(actor),
        kind=str(kind),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        subject_id=subject_id,
        episode_id=episode_id,
        summary=summary,
        detail=detail,
    )


def audit_list(actor: Any, page: str, *shown: Iterable[models.Model]) -> AuditEvent:
    """Record one view of a page that lists records (a list, search results, a match):
    one ``view`` event per page view, naming by id the records the page shows.

    ``shown`` is each list on the page exactly as the template will show it (a paginator's
    page: its rows only; a sliced queryset; a list). Reading them here evaluates them once,
    and the template reuses the rows, so no query is repeated. The ids go in the detail,
    grouped by the kind of record (``{"referrals.referral": [3, 5]}``); never a name.
    """
    ids: dict[str, list[int]] = {}
    for rows in shown:
        for record in rows:
            listed = ids.setdefault(record._meta.label_lower, [])
            if record.pk not in listed:
                listed.append(record.pk)
    return _append(
        actor_id=_actor_id(actor),
        kind=str(AuditKind.VIEW),
        action=f"{page}.viewed",
        object_type="list",
        object_id=page,
        summary=f"{sum(map(len, ids.values()))} records listed",
        detail={"shown": ids},
    )


def audit_refusal(*, actor: Any, object_type: str, object_id: object) -> AuditEvent:
    """Record that a user asked for a record outside their scope (they were shown 404)."""
    return _append(
        actor_id=_actor_id(actor),
        kind=str(AuditKind.REFUSAL),
        action=f"{object_type}.refused",
        object_type=object_type,
        object_id=str(object_id),
    )


def audit_security(
    *,
    actor: Any,
    action: str,
    user_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a sign-in or security event (sign-in, failure, lockout, MFA, session end).

    ``user_id`` is the account concerned when it is not the actor (a failed sign-in to a
    known account). Never pass what someone typed as a username: it may be a name.
    """
    actor_id = _actor_id(actor)
    concerned = user_id if user_id is not None else actor_id
    return _append(
        actor_id=actor_id,
        kind=str(AuditKind.SECURITY),
        action=action,
        object_type="accounts.user",
        object_id="" if concerned is None else str(concerned),
        detail=detail,
    )


def audit_purge(
    *, object_type: str, action: str, summary: str, detail: dict[str, Any]
) -> AuditEvent:
    """Record that the retention purge deleted or anonymised records of one kind, in bulk:
    counts and ids only."""
    return _append(
        actor_id=None,
        kind=str(AuditKind.CHANGE),
        action=action,
        object_type=object_type,
        object_id="",
        summary=summary,
        detail=detail,
    )


M = TypeVar("M", bound=models.Model)


def viewed_or_404(actor: Any, scoped: QuerySet[M], pk: int, *, subject_id: Callable[[M], int]) -> M:
    """The record ``pk`` from a queryset already scoped to the actor, with the view audited.

    Outside the scope it is 404, and the refusal is audited (outside any transaction, so
    the 404 does not roll it back).
    """
    model = scoped.model
    label = model._meta.label_lower
    record = scoped.filter(pk=pk).first()
    if record is None:
        audit_refusal(actor=actor, object_type=label, object_id=pk)
        raise Http404(f"No {model._meta.verbose_name} found") from None
    audit(
        actor=actor,
        kind=AuditKind.VIEW,
        action=f"{model._meta.model_name}.viewed",
        obj=record,
        subject_id=subject_id(record),
    )
    return record
