"""Messages to staff (email) and participants (text), recorded before they are sent.

A ``Message`` is recorded first, with who it is for (a user id or a participant id), which
template, and the event it follows; a background task then sends it
(``pathways/notifications/sending.py``). Its ``reference`` is unique and is the Notify
reference, so the same message is never recorded twice and a retry finds what was sent.
Nothing is stored of the text beyond the template's personalisation, which for staff holds
a reference and a link only (docs/notifications.md).

A participant's consent to texts is a ``TextConsent``: given on a date, and withdrawn on a
date; a withdrawn consent stops every later text, including those already queued.
A user's ``Preference`` turns off a notification that is for information only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    RETRYING = "retrying", "Waiting to retry"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Not sent: refused"
    BOUNCED = "bounced", "Not delivered"
    NOT_SENT = "not_sent", "Not sent"


# Waiting to be sent (a task picks these up).
SENDABLE = (MessageStatus.QUEUED, MessageStatus.RETRYING)
# The administrator is shown these: a permanent refusal, or a bounce.
NEEDS_ATTENTION = (MessageStatus.FAILED, MessageStatus.BOUNCED)


class MessageQuerySet(models.QuerySet["Message"]):
    def sendable(self) -> MessageQuerySet:
        return self.filter(status__in=SENDABLE)

    def needing_attention(self) -> MessageQuerySet:
        return self.filter(status__in=NEEDS_ATTENTION)


class Message(models.Model):
    """One notification to one recipient, recorded before it is sent."""

    reference = models.CharField(
        max_length=120,
        unique=True,
        help_text="What the message is for, as ids (event, template, recipient); unique, "
        "and sent to Notify as its reference so a retry never sends twice.",
    )
    template = models.CharField(
        max_length=64, help_text="The template's key (docs/notifications.md)."
    )
    channel = models.CharField(
        max_length=8, choices=Channel.choices, help_text="Email or text message."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff it is for (emails).",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        # A named reverse relation, so subject access and the purge find the person's texts.
        related_name="notification_messages",
        help_text="The participant it is for (texts).",
    )
    event_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The audit event it follows (none for reminders and digests).",
    )
    personalisation = models.JSONField(
        default=dict,
        blank=True,
        help_text="The values put into the template: for staff a reference and a link, "
        "never a name, date of birth, offence or note.",
    )
    status = models.CharField(
        max_length=16,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
        help_text="Where the message is: queued, sent, delivered, refused, bounced.",
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times sending was tried."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a temporary failure is retried."
    )
    error = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why the last attempt failed (the status code and Notify's error; no "
        "address or content).",
    )
    notify_id = models.CharField(
        max_length=64, blank=True, help_text="Notify's id for the notification."
    )
    created_at = models.DateTimeField(help_text="When the message was recorded.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When Notify took it.")
    status_at = models.DateTimeField(
        null=True, blank=True, help_text="When the status last changed."
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["notify_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(participant__isnull=False),
                name="message_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.get_status_display()})"


class TextConsentQuerySet(models.QuerySet["TextConsent"]):
    def current(self) -> TextConsentQuerySet:
        return self.filter(withdrawn_on__isnull=True)


class TextConsent(models.Model):
    """A participant's consent to appointment texts: given, and perhaps withdrawn."""

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        related_name="text_consents",
        help_text="The person who consented.",
    )
    given_on = models.DateField(help_text="When the person consented to appointment texts.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the consent.",
    )
    withdrawn_on = models.DateField(
        null=True, blank=True, help_text="When the person withdrew it: no text after this."
    )
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded the withdrawal.",
    )

    objects = TextConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(withdrawn_on__isnull=True),
                name="text_consent_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"Consent to texts from {self.given_on:%d %b %Y}"


class Preference(models.Model):
    """A notification for information only that a user has turned off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,  # served by preference_unique (user, template)
        help_text="The user.",
    )
    template = models.CharField(max_length=64, help_text="The template turned off.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "template"], name="preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template} off"
