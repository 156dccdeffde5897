"""Placements: a person put forward to an opportunity, the employer's decision, the start,
and the end (completed, or ended early with a grouped reason); job starts have sustainment
checks at 4, 13 and 26 weeks.

Status is never stored: it follows from the dated facts on the row (see status.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathways.placements.status import PlacementQuerySet, PlacementStatus, status_of
from pathways.referrals.models import Reason

SUSTAINMENT_WEEKS = (4, 13, 26)


def sustainment_due_q(today: datetime.date) -> Q:
    """A sustainment check not yet recorded falls due on its ``due_on`` day."""
    return Q(checked_on__isnull=True, due_on__lte=today)


def sustainment_overdue_q(today: datetime.date) -> Q:
    """A sustainment check not yet recorded is overdue from the day after its ``due_on``."""
    return Q(checked_on__isnull=True, due_on__lt=today)


class PlacementEndReason(Reason):
    """Why a placement ended early, in groups: participant, employer, circumstances."""


class Placement(models.Model):
    """One person's placement on one opportunity, within one referral (episode).

    ``service`` is always the referral's service, set once when the placement is made
    (``save``, the one place that sets it; a referral never changes service): it lets a
    service's lists start from its own placements (indexes ``placement_service_*``)
    instead of walking every service's placements by date and testing each one's referral.
    """

    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="placements",
        help_text="The episode of support it belongs to (decides who may see it).",
    )
    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of the placement_service_* indexes
        editable=False,
        help_text="The referral's service (set from it when the placement is made).",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="placements",
        db_index=False,  # served by placement_person (participant, put_forward_at)
        help_text="The person placed (the referral's person).",
    )
    opportunity = models.ForeignKey(
        "employers.Opportunity",
        on_delete=models.PROTECT,
        related_name="placements",
        db_index=False,  # served by placement_places (opportunity, accepted_on)
        help_text="The opportunity the person was put forward to.",
    )
    put_forward_at = models.DateTimeField(
        default=timezone.now, help_text="When the worker put the person forward (selected)."
    )
    put_forward_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The worker who put the person forward.",
    )
    put_forward_note = models.TextField(
        blank=True, help_text="Why the person was put forward, or what the employer was told."
    )
    accepted_on = models.DateField(
        null=True, blank=True, help_text="When the employer accepted the person (takes a place)."
    )
    declined_on = models.DateField(
        null=True, blank=True, help_text="When the employer decided not to take the person."
    )
    decision_note = models.TextField(blank=True, help_text="What the employer said.")
    started_on = models.DateField(null=True, blank=True, help_text="When the person started.")
    completed_on = models.DateField(
        null=True, blank=True, help_text="When the person completed the placement."
    )
    ended_early_on = models.DateField(
        null=True, blank=True, help_text="When the placement ended early (frees the place)."
    )
    end_reason = models.ForeignKey(
        PlacementEndReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Why it ended early.",
    )
    end_note = models.TextField(blank=True, help_text="More about why it ended early.")

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-put_forward_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(accepted_on__isnull=False) & Q(declined_on__isnull=False)),
                name="placement_not_accepted_and_declined",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(accepted_on__isnull=False),
                name="placement_started_only_if_accepted",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(started_on__isnull=False),
                name="placement_completed_only_if_started",
            ),
            models.CheckConstraint(
                condition=~(Q(completed_on__isnull=False) & Q(ended_early_on__isnull=False)),
                name="placement_not_completed_and_ended_early",
            ),
        ]
        indexes = [
            # A service's placements, newest first (the placements page), and its starts by
            # date (the to-do list's placements with no early contact).
            models.Index(
                fields=["service", "-put_forward_at", "-id"], name="placement_service_recent"
            ),
            models.Index(fields=["service", "started_on"], name="placement_service_started"),
            models.Index(fields=["opportunity", "accepted_on"], name="placement_places"),
            models.Index(fields=["participant", "put_forward_at"], name="placement_person"),
            models.Index(fields=["put_forward_at"], name="placement_put_forward"),
            models.Index(fields=["started_on"], name="placement_started"),
            models.Index(fields=["completed_on"], name="placement_completed"),
        ]

    def __str__(self) -> str:
        return f"Placement {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:  # a new row, or a copy saved as one
            self.service_id = self.referral.service_id
        super().save(*args, **kwargs)

    @property
    def status(self) -> PlacementStatus:
        return status_of(self)

    @property
    def is_open(self) -> bool:
        return self.status in PlacementStatus.open()


class SustainmentCheck(models.Model):
    """A check, at 4, 13 or 26 weeks after a job start, that the person is still in work.

    ``service`` is always its placement's (and so its referral's) service, set once when
    the check is made (``save``): a service's checks due are found from its own rows.
    """

    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        related_name="sustainment_checks",
        db_index=False,  # served by sustainment_once (placement, weeks)
        help_text="The job start checked.",
    )
    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of sustainment_service_due
        editable=False,
        help_text="The placement's service (set from it when the check is made).",
    )
    weeks = models.PositiveSmallIntegerField(help_text="Weeks after the start: 4, 13 or 26.")
    due_on = models.DateField(help_text="The start date plus the weeks.")
    checked_on = models.DateField(null=True, blank=True, help_text="When the check was made.")
    in_work = models.BooleanField(
        null=True, blank=True, help_text="Whether the person was in work when checked."
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the check.",
    )
    note = models.TextField(blank=True, help_text="What was found out, and how.")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "weeks"], name="sustainment_once"),
            models.CheckConstraint(
                condition=Q(checked_on__isnull=True) | Q(in_work__isnull=False),
                name="sustainment_checked_with_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["checked_on", "due_on"], name="sustainment_due"),
            # A service's checks not yet recorded, by the day they fall due.
            models.Index(
                fields=["service", "checked_on", "due_on"], name="sustainment_service_due"
            ),
            # The sustainment measures count the checks of one kind falling due in a period.
            models.Index(fields=["weeks", "due_on"], name="sustainment_weeks_due"),
        ]

    def __str__(self) -> str:
        return f"{self.weeks}-week check of placement {self.placement_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:  # a new row, or a copy saved as one
            self.service_id = self.placement.service_id
        super().save(*args, **kwargs)
