"""Reads of contacts and onward referrals. People come only through ``core.access``."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.models import HAPPENED, Contact, OnwardReferral
from pathways.core.roles import Role
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
