"""Audit events: who did what to which record, when, and with what outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditKind(models.TextChoices):
    VIEW = "view", "Viewed"
    CHANGE = "change", "Changed"
    REFUSAL = "refusal", "Refused"
    SECURITY = "security", "Sign-in and security"
    EXPORT = "export", "Exported"


class AuditEvent(models.Model):
    """One row per view, change, refusal, sign-in or security event, or export. Rows are only
    ever added, never edited: on PostgreSQL a trigger refuses UPDATE and DELETE, and each
    row is chained to the one before by a hash (``manage.py verify_audit``).

    ``subject_id`` is the participant the event concerns and ``episode_id`` the referral
    (plain ids, not foreign keys, so that the trail outlives the records it describes).
    """

    at = models.DateTimeField(default=timezone.now, help_text="When the event happened.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # served by audit_actor_at (actor, at)
        help_text="The user who acted; empty for the system itself.",
    )
    kind = models.CharField(
        max_length=16,
        choices=AuditKind.choices,
        help_text="View, change, refusal, sign-in or security event, or export.",
    )
    action = models.CharField(
        max_length=64, help_text="What happened, as entity.verb (e.g. referral.accepted)."
    )
    object_type = models.CharField(max_length=64, help_text="The kind of record acted on.")
    object_id = models.CharField(max_length=64, help_text="The id of the record acted on.")
    subject_id = models.BigIntegerField(
        null=True, blank=True, help_text="The participant the event concerns, if any."
    )
    episode_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The episode (referral) the event concerns, if any: it decides who may "
        "see the event on the person's timeline.",
    )
    summary = models.CharField(
        max_length=255, blank=True, help_text="A short description shown on the timeline."
    )
    detail = models.JSONField(
        default=dict, blank=True, help_text="Structured facts about the event (field names, ids)."
    )

    prev_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="The hash of the event before this one (empty for the first): the chain "
        "that verify_audit checks.",
    )
    hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of this event's fields and the previous hash "
        "(pathways.core.audit.event_hash).",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_id", "kind", "at"], name="audit_subject_kind_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)  # UK time, as every page shows times
        return f"{at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class ScheduledJob(models.Model):
    """When a periodic job (pathways/core/scheduler.py) last ran: its row is locked while a
    scheduler decides, so two schedulers at once run each due job once."""

    name = models.CharField(max_length=100, unique=True, help_text="The job's registered name.")
    last_run_at = models.DateTimeField(
        null=True, blank=True, help_text="When the job last started (enqueued or ran)."
    )

    def __str__(self) -> str:
        return self.name


class TaskLease(models.Model):
    """A background task at work on a record (pathways/core/leases.py): its worker renews
    ``expires_at`` while it lives; once it has lapsed, the worker is taken to have died and
    the kind's handler marks the record failed and deletes what it left (an upload)."""

    kind = models.CharField(max_length=60, help_text="What the task works on, e.g. an import.")
    object_id = models.BigIntegerField(help_text="The id of the record it works on.")
    data = models.JSONField(
        default=dict, blank=True, help_text="What the handler needs to clean up (no person)."
    )
    started_at = models.DateTimeField(help_text="When the task took the lease.")
    expires_at = models.DateTimeField(help_text="Lapses unless the worker renews it first.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_lease_per_record")
        ]
        indexes = [models.Index(fields=["expires_at"], name="core_tasklease_expiry")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class Satisfaction(models.TextChoices):
    """The GOV.UK feedback page's question, "Overall, how did you feel about the service you
    received today?", with its five answers."""

    VERY_SATISFIED = "very_satisfied", "Very satisfied"
    SATISFIED = "satisfied", "Satisfied"
    NEITHER = "neither", "Neither satisfied or dissatisfied"
    DISSATISFIED = "dissatisfied", "Dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied", "Very dissatisfied"


class Feedback(models.Model):
    """Feedback given through the phase banner's link. Nothing personal is asked or kept:
    not the account, only its role and service (to know whose work it is about)."""

    given_at = models.DateTimeField(help_text="When it was given.")
    satisfaction = models.CharField(
        max_length=20, choices=Satisfaction.choices, help_text="How they felt about the service."
    )
    improvement = models.TextField(
        max_length=1200, blank=True, help_text="How they think the service could be improved."
    )
    role = models.CharField(
        max_length=20, blank=True, help_text="The role of whoever gave it (blank: signed out)."
    )
    service = models.ForeignKey(
        "accounts.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # served by core_feedback_service (service, -given_at)
        help_text="The service of whoever gave it (blank: signed out or the administrator).",
    )

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["service", "-given_at"], name="core_feedback_service")]

    def __str__(self) -> str:
        return f"Feedback {timezone.localtime(self.given_at):%Y-%m-%d %H:%M}"
