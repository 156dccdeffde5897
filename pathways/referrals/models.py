"""Referrals: one episode of a person with the service, from receipt to end of support.

Status is never stored: it follows from the dated facts on the row (see status.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, When
from django.utils import timezone

from pathways.referrals.status import ReferralQuerySet, ReferralStatus, status_of


class Source(models.TextChoices):
    PROBATION = "probation", "Probation"
    YOS = "yos", "Youth Offending Service"
    PRISON = "prison", "Prison (release on temporary licence)"


class Cohort(models.TextChoices):
    IOM = "iom", "Integrated Offender Management (IOM) cohort"
    ROTL = "rotl", "Serving prisoner on release on temporary licence (ROTL)"
    OTHER = "other", "Other hard-to-engage group"


class OrderType(models.TextChoices):
    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED_SENTENCE = "suspended_sentence", "Suspended sentence order"
    LICENCE = "licence", "Licence"
    POST_SENTENCE = "post_sentence", "Post-sentence supervision"
    YOUTH_REHABILITATION = "youth_rehabilitation", "Youth rehabilitation order"
    CUSTODIAL = "custodial", "Custodial sentence (on ROTL)"
    OTHER = "other", "Other"


class RiskFlag(models.TextChoices):
    CHILDREN = "children", "Risk to children: no work with or near children"
    PUBLIC = "public", "Risk to the public in some workplaces"
    STAFF = "staff", "Risk to staff: do not meet alone"
    CURFEW = "curfew", "Curfew or electronic tag limits working hours"
    DRIVING = "driving", "Disqualified from driving"
    EXCLUSION_ZONE = "exclusion_zone", "Exclusion zone or non-contact condition"


class HoldResolution(models.TextChoices):
    JOINED = "joined", "Joined to the person already known"
    SEPARATE = "separate", "Kept as a separate person"


# The reason (or group of reasons) that every reason list shows last.
OTHER = "Other"


class ReasonQuerySet(models.QuerySet[Any]):
    def in_list_order(self) -> ReasonQuerySet:
        """The one order of every reason list: by group, the "Other" group last; within a
        group by its order, a reason called "Other" last."""
        return self.order_by(
            Case(When(group__iexact=OTHER, then=1), default=0),
            "group",
            Case(When(label__iexact=OTHER, then=1), default=0),
            "order",
            "label",
        )


class Reason(models.Model):
    """Reference data: a reason in a group. Retired, never deleted. Listed through
    ``objects.in_list_order()`` ("Other" last)."""

    group = models.CharField(max_length=80, help_text="The group the reason is reported in.")
    label = models.CharField(max_length=120, help_text="The reason as a user reads it.")
    code = models.SlugField(max_length=60, unique=True, help_text="A stable code for reports.")
    needs_note = models.BooleanField(
        default=False, help_text="Whether choosing this reason needs an explanation."
    )
    order = models.PositiveIntegerField(default=0, help_text="Position within its group.")
    retired_at = models.DateField(
        null=True, blank=True, help_text="From this date the reason is no longer offered."
    )

    objects = ReasonQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return f"{self.group}: {self.label}"


class DeclineReason(Reason):
    """Why a referral was declined at triage."""


class EndReason(Reason):
    """Why support ended; attrition is counted from the groups."""


class Referral(models.Model):
    """A referral of a person to a service, and the support that follows it."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="referrals",
        db_index=False,  # served by referral_queue, referral_service_recent, referral_places
        help_text="The service referred to.",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The person referred.",
    )
    patch = models.ForeignKey(
        "accounts.Patch",
        on_delete=models.PROTECT,
        related_name="referrals",
        db_index=False,  # served by referral_patch (patch, received_at)
        help_text="The patch that works the case (from the area the person lives in).",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        db_index=False,  # served by referral_referrer (referred_by, received_at)
        help_text="The practitioner who made the referral.",
    )
    source = models.CharField(
        max_length=16, choices=Source.choices, help_text="The referring agency."
    )
    cohort = models.CharField(
        max_length=16, choices=Cohort.choices, help_text="The eligible group the person is in."
    )
    order_type = models.CharField(
        max_length=32, choices=OrderType.choices, help_text="The order or licence supervised."
    )
    order_end_date = models.DateField(
        null=True, blank=True, help_text="When the order or licence is due to end."
    )
    order_ended_reason = models.TextField(
        blank=True,
        help_text="Why a person whose order or licence had ended was still referred.",
    )
    prison_name = models.CharField(
        max_length=120, blank=True, help_text="For ROTL: the prison the person is held in."
    )
    expected_release_date = models.DateField(
        null=True, blank=True, help_text="For ROTL: the expected date of release."
    )
    reason = models.TextField(help_text="Why the referrer thinks the service will help.")
    ete_needs = models.TextField(
        help_text="Education, training and employment needs the referrer knows of."
    )
    risk_information = models.TextField(
        blank=True, help_text="Risk information relevant to work and placements."
    )
    risk_flags = models.JSONField(
        default=list, blank=True, help_text="Work-relevant risk flags (codes of RiskFlag)."
    )
    accessibility_needs = models.TextField(
        blank=True, help_text="Adjustments the person needs (reading, mobility, health)."
    )
    interpreter_language = models.CharField(
        max_length=60, blank=True, help_text="The language an interpreter is needed for, if any."
    )
    consent_given = models.BooleanField(
        default=False, help_text="The person agreed to be referred (required to refer)."
    )
    consent_date = models.DateField(help_text="When the person gave consent.")

    received_at = models.DateTimeField(
        default=timezone.now, help_text="When the service received the referral."
    )
    accepted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the manager accepted it (eligibility confirmed)."
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The manager who accepted it.",
    )
    declined_at = models.DateTimeField(
        null=True, blank=True, help_text="When the manager declined it."
    )
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The manager who declined it.",
    )
    decline_reason = models.ForeignKey(
        DeclineReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Why it was declined.",
    )
    decline_note = models.TextField(blank=True, help_text="More about why it was declined.")
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person took a place on the service (start of support).",
    )
    override_reason = models.TextField(
        blank=True, help_text="Why a manager gave a place when the service was full."
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        db_index=False,  # served by referral_caseload (worker, ended_at)
        help_text="The support worker the case is allocated to now.",
    )
    allocated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current allocation was made."
    )
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When support (or the wait for it) ended."
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who ended support.",
    )
    end_reason = models.ForeignKey(
        EndReason, null=True, blank=True, on_delete=models.PROTECT, help_text="Why it ended."
    )
    end_note = models.TextField(blank=True, help_text="More about why support ended.")
    closing_summary = models.TextField(
        blank=True,
        help_text="At the end of support: what the person achieved and where they go next.",
    )

    # A possible duplicate, held for the manager (docs/domain.md, "A CRN belongs to one person").
    held_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the referral was held for the manager: it may be a person already "
        "known (a match the referrer may not see, or a CRN whose name or date of birth differ).",
    )
    held_matches = models.JSONField(
        default=list,
        blank=True,
        help_text="The known records it may duplicate: each one's id, whether the CRN is the "
        "same, and which typed fields (name, date of birth) differ from it.",
    )
    hold_resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the manager joined or separated the person."
    )
    hold_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The manager who resolved the possible duplicate.",
    )
    hold_resolution = models.CharField(
        max_length=16,
        choices=HoldResolution.choices,
        blank=True,
        help_text="Whether the manager joined the referral to the known person or kept a "
        "separate person.",
    )
    hold_reason = models.TextField(
        blank=True, help_text="Why the manager joined or separated the person."
    )
    proposed_changes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Details typed on this referral that differ from the known person's "
        "(field name: value), awaiting the manager's decision; never applied unasked.",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~(
                    models.Q(accepted_at__isnull=False) & models.Q(declined_at__isnull=False)
                ),
                name="referral_not_accepted_and_declined",
            ),
            models.CheckConstraint(
                condition=models.Q(started_at__isnull=True) | models.Q(accepted_at__isnull=False),
                name="referral_started_only_if_accepted",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "accepted_at", "id"], name="referral_queue"),
            models.Index(fields=["service", "-received_at", "-id"], name="referral_service_recent"),
            models.Index(fields=["service", "started_at", "ended_at"], name="referral_places"),
            models.Index(fields=["worker", "ended_at"], name="referral_caseload"),
            models.Index(fields=["referred_by", "received_at"], name="referral_referrer"),
            models.Index(fields=["patch", "received_at"], name="referral_patch"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def status(self) -> ReferralStatus:
        return status_of(self)

    @property
    def risk_flag_labels(self) -> list[str]:
        labels = dict(RiskFlag.choices)
        return [str(labels.get(code, code)) for code in self.risk_flags]

    @property
    def is_open(self) -> bool:
        return self.status in ReferralStatus.open()


class ReferralAmendment(models.Model):
    """The change log of a sent referral: what changed, by whom, and why."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="amendments", help_text="The referral."
    )
    at = models.DateTimeField(default=timezone.now, help_text="When it was amended.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who amended it.",
    )
    reason = models.TextField(help_text="Why it was amended.")
    changes = models.JSONField(
        help_text="Each changed field's label with its value before and after."
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Amendment {self.pk} of referral {self.referral_id}"
