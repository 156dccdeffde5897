"""Reads of people. Every one that returns people starts from referrals.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from pathways.accounts.models import User
from pathways.core.audit import AuditKind, viewed_or_404
from pathways.core.models import AuditEvent
from pathways.participants import identifiers
from pathways.participants.models import Participant
from pathways.referrals.access import participants_for, referrals_for


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


def _events_in_scope(
    user: User, participant: Participant, kind: str | None
) -> QuerySet[AuditEvent]:
    """The person's events of this kind that concern what the user may see: the person
    themself, and those of their episodes (referrals, with their plans, readings and
    contacts) that are in the user's scope (a referrer sees the history of their own
    referrals, not of another service's or another referrer's)."""
    visible = list(referrals_for(user).filter(participant=participant).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(subject_id=participant.pk)
    if kind is not None:
        events = events.filter(kind=kind)
    return events.filter(Q(episode_id__isnull=True) | Q(episode_id__in=visible)).select_related(
        "actor"
    )


def timeline_for(user: User, participant: Participant) -> QuerySet[AuditEvent]:
    """What happened to the person, newest first, as far as the user may see it.

    Call only with a participant already fetched through ``participant_get_for``.
    """
    return _events_in_scope(user, participant, AuditKind.CHANGE)


def access_log_for(user: User, participant: Participant) -> QuerySet[AuditEvent]:
    """Who viewed the person's record and referrals, newest first (managers only)."""
    return _events_in_scope(user, participant, AuditKind.VIEW)


def audit_trail_for(user: User, participant: Participant) -> QuerySet[AuditEvent]:
    """Every event about the person that the user may see (views, changes, exports),
    oldest first, for the manager's audit trail export."""
    return _events_in_scope(user, participant, None).order_by("at", "id")


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


SEARCH_LIMIT = 50


def participant_search(user: User, query: str) -> list[Participant]:
    """People in the user's scope matching a CRN, a PNC ID, a prison number or a name.

    A name matches on the last word as the last name (any case), and on the first word as
    the start of the first name when there are two or more words.
    """
    words = query.split()
    if not words:
        return []
    typed = identifiers.normalise(query)
    people = participants_for(user).select_related("area__patch")
    if identifiers.is_crn(typed):
        people = people.filter(crn=typed)
    elif identifiers.is_pnc_id(typed):
        people = people.filter(pnc_id=typed)
    elif identifiers.is_prison_number(typed):
        people = people.filter(prison_number=typed)
    else:
        people = people.annotate(last_name_u=Upper("last_name")).filter(
            last_name_u=words[-1].upper()
        )
        if len(words) > 1:
            people = people.filter(first_name__istartswith=words[0])
    return list(people.order_by("last_name", "first_name", "pk")[: SEARCH_LIMIT + 1])
