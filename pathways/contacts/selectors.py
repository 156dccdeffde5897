"""Reads of contacts and onward referrals. People come only through ``core.access``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Least,
)
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.contacts.models import HAPPENED, Contact, OnwardReferral
from pathways.core.roles import Role
from pathways.employers.models import OpportunityKind
from pathways.participants.models import Participant
from pathways.placements.models import Placement
from pathways.placements.status import PlacementQuerySet, PlacementStatus
from pathways.referrals.access import referrals_for
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralQuerySet

# "Contacts in the last 4 weeks" on the caseload, and "no contact in 4 weeks" (a person
# receiving support with no contact that took place in that time: ``no_recent_contact_q``).
RECENT_DAYS = 28
# A placement's first two weeks: a started placement with no contact at it that took place
# in its first EARLY_PLACEMENT_DAYS days is flagged once they have passed.
EARLY_PLACEMENT_DAYS = 14


def contacts_of(referral: Referral) -> QuerySet[Contact]:
    """Every contact of the episode, rescheduled ones included, newest first."""
    return referral.contacts.select_related(
        "booked_by", "superseded_by", "placement__opportunity"
    ).order_by("-starts_at", "-id")


def placements_of(referral: Referral) -> QuerySet[Placement]:
    """The episode's own placements, which a contact may be at or about (newest first)."""
    return (
        Placement.objects.filter(referral=referral)
        .select_related("opportunity__employer")
        .order_by("-put_forward_at", "-id")
    )


def contacts_at(placement: Placement) -> QuerySet[Contact]:
    """The current contacts at or about a placement (of its own episode), newest first.
    The placement comes from a scoped selector, so these are in the user's scope too."""
    return (
        Contact.objects.current()
        .filter(placement=placement, referral_id=placement.referral_id)
        .select_related("booked_by")
        .order_by("-starts_at", "-id")
    )


def contact_of(referral: Referral, pk: int) -> Contact | None:
    return Contact.objects.filter(referral=referral, pk=pk).select_related("referral").first()


def onward_referrals_of(referral: Referral) -> QuerySet[OnwardReferral]:
    return referral.onward_referrals.select_related("made_by").order_by("-referred_on", "-id")


def onward_referral_of(referral: Referral, pk: int) -> OnwardReferral | None:
    return (
        OnwardReferral.objects.filter(referral=referral, pk=pk).select_related("referral").first()
    )


def with_contact_figures(qs: ReferralQuerySet, now: datetime.datetime) -> ReferralQuerySet:
    """Annotate ``last_contact`` (the latest contact that took place) and ``recent_contacts``
    (how many took place in the last 4 weeks), so tapering support shows."""
    happened = Contact.objects.filter(HAPPENED, referral=OuterRef("pk"), starts_at__lte=now)
    recent = (
        happened.filter(starts_at__gte=now - datetime.timedelta(days=RECENT_DAYS))
        .order_by()
        .values("referral")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        last_contact=Subquery(
            happened.order_by("-starts_at").values("starts_at")[:1], output_field=DateTimeField()
        ),
        recent_contacts=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
    )


def no_recent_contact_q(now: datetime.datetime) -> Q:
    """On referrals annotated by ``with_contact_figures``: receiving support for longer than
    ``RECENT_DAYS`` with no contact that took place in the last ``RECENT_DAYS``."""
    since = now - datetime.timedelta(days=RECENT_DAYS)
    return Q(last_contact__lt=since) | Q(last_contact__isnull=True, started_at__lt=since)


def without_recent_contact(qs: ReferralQuerySet, now: datetime.datetime) -> ReferralQuerySet:
    """People receiving support with no contact in the last 4 weeks, longest without first
    (the last contact, or the start when there has been none)."""
    return (
        with_contact_figures(qs.active(), now)
        .filter(no_recent_contact_q(now))
        .annotate(quiet_since=Coalesce("last_contact", "started_at"))
        .order_by("quiet_since", "id")
    )


def without_early_contact(placements: PlacementQuerySet, today: datetime.date) -> PlacementQuerySet:
    """Started placements, not yet ended, whose first ``EARLY_PLACEMENT_DAYS`` days have
    passed with no contact at or about the placement that took place in them. Oldest
    start first."""
    # The last day of the first two weeks (a day count, so it compares as a date in both
    # SQLite and PostgreSQL).
    last_early_day = ExpressionWrapper(
        OuterRef("started_on") + datetime.timedelta(days=EARLY_PLACEMENT_DAYS - 1),
        output_field=DateField(),
    )
    early = Contact.objects.filter(
        HAPPENED,
        placement=OuterRef("pk"),
        referral_id=OuterRef("referral_id"),
        starts_at__date__gte=OuterRef("started_on"),
        starts_at__date__lte=last_early_day,
    )
    return (
        placements.in_status(PlacementStatus.STARTED)
        .filter(started_on__lte=today - datetime.timedelta(days=EARLY_PLACEMENT_DAYS))
        .filter(~Exists(early))
        .order_by("started_on", "id")
    )


def awaiting_feedback_for(user: User) -> QuerySet[Contact]:
    """Appointments whose time has passed with no outcome: a worker's own cases, or every
    case of the service for the manager."""
    referrals = referrals_for(user).active()
    if user.role == Role.WORKER:
        referrals = referrals.filter(worker=user)
    return (
        Contact.objects.awaiting_feedback(timezone.now())
        .filter(referral__in=referrals)
        .select_related("referral__participant", "referral__worker")
        .order_by("starts_at", "id")
    )


def concerns_for(user: User, participant: Participant) -> QuerySet[Contact]:
    """Contacts flagged "tell the referrer", for the person's referrals in the user's scope."""
    return (
        Contact.objects.filter(
            referral__in=referrals_for(user).filter(participant=participant),
            tell_referrer=True,
            superseded_by__isnull=True,
        )
        .select_related("outcome_recorded_by")
        .order_by("-starts_at", "-id")
    )


# ---------------------------------------------------------------- tapering


# Months shown, from the start of support and from a job start: the first twelve.
TAPERING_MONTHS = 12


def _with_months(qs: QuerySet[Any], name: str, start: Any, end: Any) -> QuerySet[Any]:
    """Annotate ``name``: the whole calendar months from ``start`` to ``end`` (local dates;
    a month is complete on the same day of a later month), counted in the database."""
    parts = {
        f"_{name}_sy": ExtractYear(start),
        f"_{name}_sm": ExtractMonth(start),
        f"_{name}_sd": ExtractDay(start),
        f"_{name}_ey": ExtractYear(end),
        f"_{name}_em": ExtractMonth(end),
        f"_{name}_ed": ExtractDay(end),
    }
    short = Case(
        When(**{f"_{name}_ed__lt": F(f"_{name}_sd")}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    months = (
        (F(f"_{name}_ey") - F(f"_{name}_sy")) * 12 + F(f"_{name}_em") - F(f"_{name}_sm") - short
    )
    return qs.annotate(**parts).annotate(**{name: months})


@dataclass(frozen=True)
class TaperingRow:
    """One month of support (or of work): the people whose support covered the whole of
    it, the contacts with them that took place in it, and contacts per person."""

    month: int  # 1 for the first month
    people: int
    contacts: int

    @property
    def per_person(self) -> float | None:
        return round(self.contacts / self.people, 1) if self.people else None


@dataclass(frozen=True)
class Tapering:
    as_of: datetime.date
    since_start: list[TaperingRow]
    since_job: list[TaperingRow]


def _first_job(referral_ref: str, as_of: datetime.date) -> Subquery:
    return Subquery(
        Placement.objects.filter(
            referral=OuterRef(referral_ref),
            opportunity__kind=OpportunityKind.JOB,
            started_on__isnull=False,
            started_on__lte=as_of,
        )
        .order_by("started_on", "id")
        .values("started_on")[:1],
        output_field=DateField(),
    )


def _rows(
    episodes: QuerySet[Any],
    episode_span: tuple[Any, Any],
    contacts: QuerySet[Any],
    contact_span: tuple[Any, Any],
) -> list[TaperingRow]:
    """Contacts per person by month since a start (``*_span``: the start and the end of
    support or the as-at moment, for an episode and for a contact's episode): people by how
    many whole months their support covered, contacts by the month they fell in, counting
    only the whole months covered. Two grouped queries."""
    covered = _with_months(episodes, "covered", *episode_span)
    lengths: dict[int, int] = dict(
        covered.order_by()
        .values_list("covered")
        .annotate(n=Count("id"))
        .values_list("covered", "n")
    )
    start, end = contact_span
    counted = (
        _with_months(_with_months(contacts, "month", start, F("starts_at")), "covered", start, end)
        .filter(month__gte=0, month__lt=F("covered"))
        .filter(month__lt=TAPERING_MONTHS)
    )
    by_month: dict[int, int] = dict(
        counted.order_by().values_list("month").annotate(n=Count("id")).values_list("month", "n")
    )
    return [
        TaperingRow(
            month=month + 1,
            people=sum(n for length, n in lengths.items() if length > month),
            contacts=by_month.get(month, 0),
        )
        for month in range(TAPERING_MONTHS)
    ]


def tapering(service: Service, as_of: datetime.date) -> Tapering:
    """Contacts per person per month, by months since the start of support and since a
    job start (the episode's first), as at the end of ``as_of`` (docs/measures.md).
    Aggregated in the database: four grouped queries, whatever the number of people."""
    moment = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )

    def until(field: str) -> Least:
        """The end of support, or the as-at moment if it had not ended by then."""
        return Least(Coalesce(F(field), Value(moment)), Value(moment), output_field=DateTimeField())

    episodes = Referral.objects.filter(service=service, started_at__lt=moment)
    contacts = Contact.objects.filter(
        HAPPENED,
        referral__service=service,
        referral__started_at__lt=moment,
        starts_at__lt=moment,
    )
    since_start = _rows(
        episodes,
        (F("started_at"), until("ended_at")),
        contacts,
        (F("referral__started_at"), until("referral__ended_at")),
    )
    since_job = _rows(
        episodes.annotate(job_on=_first_job("pk", as_of)).filter(job_on__isnull=False),
        (F("job_on"), until("ended_at")),
        contacts.annotate(job_on=_first_job("referral", as_of)).filter(job_on__isnull=False),
        (F("job_on"), until("referral__ended_at")),
    )
    return Tapering(as_of=as_of, since_start=since_start, since_job=since_job)
