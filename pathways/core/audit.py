"""Writing audit events: every view of a person's record and every change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from pathways.core.models import AuditEvent, AuditKind

__all__ = ["AuditKind", "audit"]

EPISODE = "referrals.referral"


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
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        subject_id=subject_id,
        episode_id=episode_id,
        summary=summary,
        detail=detail or {},
    )


def audit_refusal(*, actor: Any, object_type: str, object_id: object) -> AuditEvent:
    """Record that a user asked for a record outside their scope (they were shown 404)."""
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=AuditKind.REFUSAL,
        action=f"{object_type}.refused",
        object_type=object_type,
        object_id=str(object_id),
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
