"""Reads of people. Every one that returns people starts from referrals.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from pathways.accounts.models import User
from pathways.core.audit import AuditKind, audit, viewed_or_404
from pathways.core.models import AuditEvent
from pathways.participants import identifiers
from pathways.participants.models import Participant
from pathways.referrals.access import participants_for, referrals_for
from pathways.referrals.models import Referral


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


# What a CRN match must agree on before a referrer may say it is the same person.
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")


def identity_differences(
    participant: Participant, *, first_name: str, last_name: str, date_of_birth: datetime.date
) -> list[str]:
    """The identity fields (names in any case, date of birth) typed otherwise than the record."""
    typed = {
        "first_name": first_name.strip().upper(),
        "last_name": last_name.strip().upper(),
        "date_of_birth": date_of_birth,
    }
    held = {
        "first_name": participant.first_name.strip().upper(),
        "last_name": participant.last_name.strip().upper(),
        "date_of_birth": participant.date_of_birth,
    }
    return [name for name in IDENTITY_FIELDS if typed[name] != held[name]]


@dataclass(frozen=True)
class PossibleDuplicate:
    participant: Participant
    same_crn: bool
    visible: bool
    differs: tuple[str, ...] = ()

    @property
    def joinable(self) -> bool:
        """The rule: the user may themself say it is this person only when the record is in
        their scope and its name and date of birth are the ones typed. Any other match (one
        they cannot see, or a CRN whose name or date of birth differ) is held for the
        service manager (``referrals.services.referral_create`` with ``hold_for``)."""
        return self.visible and not self.differs


def needs_manager(matches: list[PossibleDuplicate]) -> bool:
    """Whether a referral with these matches is held for the manager to join or separate."""
    return any(not match.joinable for match in matches)


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
    whether each is in the user's own scope (the page names and links only those; the
    others are never shown to the user, only held for the manager)."""
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
            participant=p,
            same_crn=bool(crn) and p.crn == crn,
            visible=p.pk in visible,
            differs=tuple(
                identity_differences(
                    p, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
                )
            ),
        )
        for p in found
    ]


# What the manager compares between a held referral's person and each record it matched:
# identity always; how to reach them only for a record already in the manager's scope.
COMPARED_IDENTITY = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "crn",
    "pnc_id",
    "prison_number",
)
COMPARED_CONTACT = ("phone", "email", "address", "area", "location")
FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "crn": "CRN",
    "pnc_id": "PNC ID",
    "prison_number": "Prison number",
    "phone": "Phone number",
    "email": "Email address",
    "address": "Address",
    "area": "Local authority area",
    "location": "Where they are",
}


@dataclass(frozen=True)
class HeldMatch:
    participant: Participant
    same_crn: bool
    in_scope: bool
    # (label, the held referral's value, the record's value, whether they differ)
    rows: list[tuple[str, str, str, bool]]

    @property
    def differs(self) -> list[str]:
        return [label for label, _held, _known, differ in self.rows if differ]


def _shown(participant: Participant, name: str) -> str:
    value = getattr(participant, name)
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    display = getattr(participant, f"get_{name}_display", None)
    return str(display() if display else value)


def held_matches_for(user: User, referral: Referral) -> list[HeldMatch]:
    """The known records a referral held as a possible duplicate matched, each beside the
    referral's person, for the manager who resolves it. Call only with a referral fetched
    through ``referral_get_for``; each record shown is a view of a person, audited."""
    entries = {entry["participant"]: entry for entry in referral.held_matches}
    held = referral.participant
    visible = set(participants_for(user).filter(pk__in=entries).values_list("pk", flat=True))
    found = []
    for person in Participant.objects.filter(pk__in=entries).select_related("area").order_by("pk"):
        in_scope = person.pk in visible
        names = COMPARED_IDENTITY + (COMPARED_CONTACT if in_scope else ())
        rows = []
        for name in names:
            mine, theirs = _shown(held, name), _shown(person, name)
            if name == "crn" and entries[person.pk].get("same_crn") and not held.crn:
                # Typed the same: kept off the new person while the record holds it.
                mine = theirs
            rows.append((FIELD_LABELS[name], mine, theirs, mine.upper() != theirs.upper()))
        audit(
            actor=user,
            kind=AuditKind.VIEW,
            action="participant.viewed_as_possible_duplicate",
            obj=person,
            subject_id=person.pk,
            episode_id=referral.pk,
        )
        found.append(
            HeldMatch(
                participant=person,
                same_crn=bool(entries[person.pk].get("same_crn")),
                in_scope=in_scope,
                rows=rows,
            )
        )
    return found


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
