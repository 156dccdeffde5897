"""Mentoring contacts and appointments, and referrals on to wrap-around services.

An appointment is booked, then its outcome is recorded. Whether the session happened is
kept apart from whether the person attended. Rescheduling never overwrites: the old
appointment is superseded by a new one, and both are kept.

A contact's status follows from its time, its outcome and ``superseded_by``:
``status_rules(now)`` (core.status.StatusRules), applied to a row by ``status`` and in the
database by ``ContactQuerySet.with_status`` / ``in_status``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathways.core.status import StatusRules, tag_colours


class Mode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    PLACEMENT = "placement", "At the placement"


class Attendance(models.TextChoices):
    YES = "yes", "Yes, on time"
    LATE = "late", "Yes, but late"
    NO = "no", "No"


class NotHappenedReason(models.TextChoices):
    ACCEPTABLE = "acceptable", "The person could not come, for an acceptable reason"
    UNACCEPTABLE = "unacceptable", "The person did not come, with no acceptable reason"
    LOGISTICS = "logistics", "Logistics: the worker, room or transport was not available"


class ContactStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    AWAITING_FEEDBACK = "awaiting_feedback", "Awaiting feedback"
    HAPPENED = "happened", "Took place"
    DID_NOT_HAPPEN = "did_not_happen", "Did not take place"
    RESCHEDULED = "rescheduled", "Rescheduled"


tag_colours(
    ContactStatus,
    {
        ContactStatus.BOOKED: "blue",
        ContactStatus.AWAITING_FEEDBACK: "yellow",
        ContactStatus.HAPPENED: "green",
        ContactStatus.DID_NOT_HAPPEN: "red",
        ContactStatus.RESCHEDULED: "grey",
    },
    model="contacts.Contact",
)


def status_rules(now: datetime.datetime) -> StatusRules[ContactStatus]:
    """The rules as at ``now``, read first to last: the first whose facts hold gives the
    status (an appointment whose time has passed awaits feedback)."""
    return StatusRules(
        [
            (
                ContactStatus.RESCHEDULED,
                Q(superseded_by__isnull=False),
                lambda c: c.superseded_by_id is not None,
            ),
            (
                ContactStatus.HAPPENED,
                Q(outcome_recorded_at__isnull=False, happened=True),
                lambda c: c.outcome_recorded_at is not None and bool(c.happened),
            ),
            (
                ContactStatus.DID_NOT_HAPPEN,
                Q(outcome_recorded_at__isnull=False),
                lambda c: c.outcome_recorded_at is not None,
            ),
            (ContactStatus.AWAITING_FEEDBACK, Q(starts_at__lt=now), lambda c: c.starts_at < now),
        ],
        ContactStatus.BOOKED,
    )


class ContactQuerySet(models.QuerySet["Contact"]):
    def with_status(self, now: datetime.datetime | None = None) -> ContactQuerySet:
        return self.annotate(status_code=status_rules(now or timezone.now()).annotation())

    def in_status(
        self, *statuses: ContactStatus, now: datetime.datetime | None = None
    ) -> ContactQuerySet:
        return self.filter(status_rules(now or timezone.now()).any_of(statuses))

    def current(self) -> ContactQuerySet:
        """Not superseded by a rescheduled appointment."""
        return self.filter(superseded_by__isnull=True)

    def awaiting_feedback(self, now: datetime.datetime | None = None) -> ContactQuerySet:
        """Appointments whose time has passed with no outcome recorded."""
        return self.in_status(ContactStatus.AWAITING_FEEDBACK, now=now)

    def happened(self) -> ContactQuerySet:
        return self.current().filter(happened=True)


class Contact(models.Model):
    """A mentoring contact or appointment of one episode of support."""

    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,  # served by the index on (referral, starts_at)
        help_text="The episode of support.",
    )
    starts_at = models.DateTimeField(help_text="When the contact is or was.")
    mode = models.CharField(max_length=16, choices=Mode.choices, help_text="How it is held.")
    duration_minutes = models.PositiveSmallIntegerField(help_text="How long, in minutes.")
    location = models.CharField(
        max_length=200, blank=True, help_text="Where (for face-to-face and placement contacts)."
    )
    placement = models.ForeignKey(
        "placements.Placement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        help_text="The placement of the same episode the contact is at or about (needed when "
        "it is held at the placement).",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who booked or recorded it.",
    )
    created_at = models.DateTimeField(help_text="When it was entered.")
    superseded_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        help_text="The appointment that replaced this one when it was rescheduled.",
    )
    reschedule_reason = models.TextField(blank=True, help_text="Why it was rescheduled.")
    outcome_recorded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the outcome was recorded."
    )
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded the outcome.",
    )
    happened = models.BooleanField(
        null=True, blank=True, help_text="Whether the session took place."
    )
    attended = models.CharField(
        max_length=8,
        choices=Attendance.choices,
        blank=True,
        help_text="Whether the person attended (kept apart from whether it took place).",
    )
    not_happened_reason = models.CharField(
        max_length=16,
        choices=NotHappenedReason.choices,
        blank=True,
        help_text="Why the session did not take place.",
    )
    notes = models.TextField(blank=True, help_text="What was discussed and agreed.")
    tell_referrer = models.BooleanField(
        default=False,
        help_text="A concern the referrer should know of: shown on the referrer's view.",
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["referral", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} contact on {self.starts_at:%d %b %Y}"

    def status_on(self, now: datetime.datetime) -> ContactStatus:
        return status_rules(now).of(self)

    @property
    def status(self) -> ContactStatus:
        return self.status_on(timezone.now())

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


# Contacts counted as "support given": current ones that took place.
HAPPENED = Q(superseded_by__isnull=True, happened=True)


class OnwardService(models.TextChoices):
    HOUSING = "housing", "Housing"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug and alcohol (substance misuse)"
    MENTAL_HEALTH = "mental_health", "Mental health"
    DEBT = "debt", "Debt and money advice"
    ID_BANK = "id_bank", "ID and bank account"
    VULNERABILITY_HUB = "vulnerability_hub", "Vulnerability hub"
    OTHER = "other", "Other"


class OnwardOutcome(models.TextChoices):
    SUPPORTED = "supported", "Accepted: the person is getting support"
    DECLINED_BY_SERVICE = "declined_by_service", "Declined by the service"
    NOT_TAKEN_UP = "not_taken_up", "The person did not take it up"
    OTHER = "other", "Other"


class OnwardReferral(models.Model):
    """A referral on to another service for wrap-around support."""

    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="onward_referrals",
        help_text="The episode of support.",
    )
    kind = models.CharField(
        max_length=24, choices=OnwardService.choices, help_text="The kind of support."
    )
    organisation = models.CharField(max_length=200, help_text="The service referred to.")
    referred_on = models.DateField(help_text="When the referral was made.")
    note = models.TextField(blank=True, help_text="Why, and anything agreed.")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the referral.",
    )
    created_at = models.DateTimeField(help_text="When it was recorded.")
    outcome = models.CharField(
        max_length=24,
        choices=OnwardOutcome.choices,
        blank=True,
        help_text="What came of it (blank while waiting to hear).",
    )
    outcome_on = models.DateField(null=True, blank=True, help_text="When the outcome was known.")
    outcome_note = models.TextField(blank=True, help_text="More about the outcome.")

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.organisation}"
