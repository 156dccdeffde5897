"""Reads of people. Every one that returns people starts from core.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from pathways.accounts.models import User
from pathways.core.access import participants_for, referrals_for
from pathways.core.audit import AuditKind, viewed_or_404
from pathways.core.models import AuditEvent
from pathways.participants.models import Participant


def participant_get_for(user: User, pk: int) -> Participant:
    """One person in the user's scope, the view audited; else 404 with the refusal audited."""
    scoped = participants_for(user).select_related("area__patch")
    return viewed_or_404(user, scoped, pk, subject_id=lambda p: p.pk)


def referrals_of(user: User, participant: Participant) -> QuerySet:
    """The person's referrals that the user may see, newest first."""
    return (
        referrals_for(user)
        .filter(participant=participant)
        .with_status()
        .select_related("service", "patch", "worker", "referred_by", "end_reason")
        .order_by("-received_at")
    )


def timeline_for(participant: Participant) -> QuerySet[AuditEvent]:
    """What happened to the person: every change recorded against them, newest first.

    Call only with a participant already fetched through ``participant_get_for``.
    """
    return AuditEvent.objects.filter(
        subject_id=participant.pk, kind=AuditKind.CHANGE
    ).select_related("actor")


def access_log_for(participant: Participant) -> QuerySet[AuditEvent]:
    """Who viewed the person's record and referrals, newest first (managers only)."""
    return AuditEvent.objects.filter(subject_id=participant.pk, kind=AuditKind.VIEW).select_related(
        "actor"
    )


@dataclass(frozen=True)
class PossibleDuplicate:
    participant: Participant
    same_crn: bool
    visible: bool


def likely_duplicates(
    user: User,
    *,
    crn: str | None,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
) -> list[PossibleDuplicate]:
    """People already known who are likely the same person: same CRN, or same name and
    date of birth. Searches every record, so that nobody is created twice, but says only
    whether each is in the user's own scope (the page links only to those)."""
    match = Q(first_name_u=first_name.strip().upper(), last_name_u=last_name.strip().upper())
    match &= Q(date_of_birth=date_of_birth)
    if crn:
        match |= Q(crn=crn)
    found = list(
        Participant.objects.annotate(
            first_name_u=Upper("first_name"), last_name_u=Upper("last_name")
        )
        .filter(match)
        .order_by("pk")[:10]
    )
    visible = set(
        participants_for(user).filter(pk__in=[p.pk for p in found]).values_list("pk", flat=True)
    )
    return [
        PossibleDuplicate(
            participant=p, same_crn=bool(crn) and p.crn == crn, visible=p.pk in visible
        )
        for p in found
    ]
