"""Reads for imports: the history, the cohort ETE-need rates, the person's orders and
offences with their source, the conflicts between hand-entered and imported facts, and
the Justice Data Lab participant list. Every read of people starts from referrals.access."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.access import Action, can
from pathways.imports.models import CohortMembership, EteNeedAssessment, ImportBatch
from pathways.outcomes.models import Order, ProvenOffence, Source
from pathways.participants.models import Participant
from pathways.referrals.access import participants_for, referrals_for

POSITIVE_END_GROUP = "Positive"  # referrals.reference END_REASONS: support completed


def batches_for(user: User) -> QuerySet[ImportBatch]:
    """The import history of the user's service (the manager's only)."""
    if not can(user, Action.IMPORT_PROBATION_DATA):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(service_id=int(user.service_id or 0)).select_related(
        "uploaded_by", "matched"
    )


@dataclass(frozen=True)
class CohortRate:
    cohort: str
    starters: int
    assessed: int
    with_need: int


def cohort_ete_rates(user: User) -> list[CohortRate]:
    """Per cohort: people in it who started support with the service, how many have an
    OASys ETE assessment, and how many of those had an ETE need at their latest one.
    Counts only."""
    started = referrals_for(user).filter(started_at__isnull=False, participant=OuterRef("pk"))
    starters = participants_for(user).filter(Exists(started))
    latest = (
        EteNeedAssessment.objects.filter(participant=OuterRef("participant"))
        .order_by("-assessed_on", "-id")
        .values("ete_need")[:1]
    )
    rows = (
        CohortMembership.objects.filter(participant__in=starters)
        .annotate(need=Subquery(latest))
        .values("cohort")
        .annotate(
            starters=Count("participant", distinct=True),
            assessed=Count("participant", distinct=True, filter=Q(need__isnull=False)),
            with_need=Count("participant", distinct=True, filter=Q(need=True)),
        )
        .order_by("cohort")
    )
    return [CohortRate(r["cohort"], r["starters"], r["assessed"], r["with_need"]) for r in rows]


@dataclass(frozen=True)
class Conflict:
    participant: Participant
    what: str  # "order" or "offence"
    hand: Order | ProvenOffence
    imported: Order | ProvenOffence
    differences: list[str]


def _fmt(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "none"


def outcome_conflicts_for(user: User) -> list[Conflict]:
    """Where a hand-entered fact and an imported one describe the same thing differently,
    for the manager to resolve (nothing is resolved automatically):

    - an order of the same person, type and start date, with a different end date or
      termination;
    - a proven offence of the same person, offence date and group, proven on a different
      date or by a different means (and no imported offence says exactly the same).
    """
    if not can(user, Action.IMPORT_PROBATION_DATA):
        return []
    people = participants_for(user)
    conflicts: list[Conflict] = []

    same_order = Order.objects.filter(
        source=Source.IMPORT,
        participant=OuterRef("participant"),
        order_type=OuterRef("order_type"),
        start_date=OuterRef("start_date"),
    ).order_by("-pk")
    hand_orders = list(
        Order.objects.filter(source=Source.HAND, participant__in=people)
        .annotate(imported_pk=Subquery(same_order.values("pk")[:1]))
        .filter(imported_pk__isnull=False)
        .select_related("participant")
        .order_by("participant_id", "start_date")
    )
    imported_orders = Order.objects.in_bulk([o.imported_pk for o in hand_orders])
    for hand in hand_orders:
        imported = imported_orders[hand.imported_pk]
        differences = []
        if hand.actual_end_date != imported.actual_end_date:
            differences.append(
                f"End date: {_fmt(hand.actual_end_date)} by hand, "
                f"{_fmt(imported.actual_end_date)} in the extract"
            )
        if hand.termination != imported.termination:
            differences.append(
                f"How it ended: {hand.get_termination_display() or 'not ended'} by hand, "
                f"{imported.get_termination_display() or 'not ended'} in the extract"
            )
        if differences:
            conflicts.append(Conflict(hand.participant, "order", hand, imported, differences))

    same_offence = ProvenOffence.objects.filter(
        source=Source.IMPORT,
        participant=OuterRef("participant"),
        committed_on=OuterRef("committed_on"),
        category=OuterRef("category"),
    )
    hand_offences = list(
        ProvenOffence.objects.filter(source=Source.HAND, participant__in=people)
        .annotate(
            imported_pk=Subquery(same_offence.order_by("-pk").values("pk")[:1]),
            agreed=Exists(
                same_offence.filter(
                    proven_on=OuterRef("proven_on"), proven_by=OuterRef("proven_by")
                )
            ),
        )
        .filter(imported_pk__isnull=False, agreed=False)
        .select_related("participant")
        .order_by("participant_id", "committed_on")
    )
    imported_offences = ProvenOffence.objects.in_bulk([o.imported_pk for o in hand_offences])
    for hand_offence in hand_offences:
        other = imported_offences[hand_offence.imported_pk]
        differences = []
        if hand_offence.proven_on != other.proven_on:
            differences.append(
                f"Proven on: {_fmt(hand_offence.proven_on)} by hand, "
                f"{_fmt(other.proven_on)} in the extract"
            )
        if hand_offence.proven_by != other.proven_by:
            differences.append(
                f"Proven by: {hand_offence.get_proven_by_display()} by hand, "
                f"{other.get_proven_by_display()} in the extract"
            )
        conflicts.append(
            Conflict(hand_offence.participant, "offence", hand_offence, other, differences)
        )
    conflicts.sort(key=lambda c: (c.participant.last_name, c.participant.first_name, c.what))
    return conflicts


JDL_COLUMNS = [
    "Surname",
    "Forename",
    "Date of birth",
    "Gender",
    "PNC ID",
    "Prison number",
    "CRN",
    "Support start date",
    "Support end date",
    "Completed support",
]
JDL_MINIMUM = 60  # the Justice Data Lab needs at least 60 people for an analysis


def jdl_count(user: User) -> int:
    if not can(user, Action.EXPORT_JDL):
        return 0
    started = referrals_for(user).filter(started_at__isnull=False, participant=OuterRef("pk"))
    return participants_for(user).filter(Exists(started)).count()


def jdl_rows(user: User) -> Iterator[list[Any]]:
    """One row per person who started support with the service: the first start, the last
    end (empty while support goes on), and whether support was completed (the last episode
    ended for a reason in the "Positive" group: into work, into education or training, or
    plan goals met). Streams in person order."""
    if not can(user, Action.EXPORT_JDL):
        return
    episodes = (
        referrals_for(user)
        .filter(started_at__isnull=False)
        .select_related("participant", "end_reason")
        .order_by("participant_id", "started_at", "pk")
    )
    current: list[Any] | None = None
    person_id = None
    for episode in episodes.iterator(chunk_size=2000):
        if episode.participant_id != person_id:
            if current is not None:
                yield current
            person = episode.participant
            person_id = person.pk
            current = [
                person.last_name,
                person.first_name,
                person.date_of_birth,
                person.get_gender_display(),
                person.pnc_id,
                person.prison_number,
                person.crn or "",
                timezone.localtime(episode.started_at).date(),
                None,
                "",
            ]
        assert current is not None
        ended = timezone.localtime(episode.ended_at).date() if episode.ended_at else None
        current[8] = ended
        if ended is None:
            current[9] = "Not yet: still receiving support"
        elif episode.end_reason and episode.end_reason.group == POSITIVE_END_GROUP:
            current[9] = "Yes"
        else:
            current[9] = "No"
    if current is not None:
        yield current
