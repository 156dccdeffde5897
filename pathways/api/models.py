"""API clients (a case-management or analysis system registered by the administrator) and
the idempotency keys of the referrals they send.

A client is an OAuth2 application (django-oauth-toolkit, client credentials) bound to one
service, with scopes from ``scopes.SCOPES``. It acts through an account of its own: a
referrer of that service with no password (``account``), so that every rule that asks who
acts (``referrals.access.referral_scope``: a referrer sees the referrals they made) and
every audit event (``core.audit``: the actor) name the client, and no rule is written twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from oauth2_provider.models import Application

from pathways.accounts.models import Service


class ApiClient(models.Model):
    name = models.CharField(
        max_length=120, help_text="The system's name, e.g. nDelius (Staffordshire PDU)."
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text="The one service the client works with.",
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text="Its OAuth2 application: the client id and hashed secret.",
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text="The account it acts as: a referrer of its service that cannot sign in.",
    )
    scopes = models.JSONField(default=list, help_text="The scopes it was given (scopes.SCOPES).")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was registered.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The administrator who registered it.",
    )
    suspended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was suspended: every call is refused from then, its tokens too.",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None


class IdempotencyKey(models.Model):
    """A referral sent with an ``Idempotency-Key``: the same key and body give the same
    referral and answer again; the same key with another body is refused."""

    client = models.ForeignKey(
        ApiClient,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # served by api_idempotency_key_once (client, key)
        help_text="The client.",
    )
    key = models.CharField(max_length=255, help_text="The key the client sent.")
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of the body, canonical.")
    referral_id = models.BigIntegerField(
        null=True, blank=True, help_text="The referral it made (set in the same transaction)."
    )
    status = models.PositiveSmallIntegerField(help_text="The HTTP status answered.")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was first sent.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"Idempotency key {self.pk}"


class CallWindow(models.Model):
    """How many calls a client made in one window of ``API_RATE_WINDOW`` seconds: counted in
    the database, so every web process sees the same count (``ratelimit.seconds_to_wait``).
    A client's older windows are deleted as a new one opens."""

    client = models.ForeignKey(
        ApiClient,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # served by api_call_window_once (client, started)
        help_text="The client.",
    )
    started = models.BigIntegerField(help_text="The window's start, in seconds since 1970 (UTC).")
    calls = models.PositiveIntegerField(default=0, help_text="Calls made in the window so far.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "started"], name="api_call_window_once")
        ]

    def __str__(self) -> str:
        return f"Call window {self.pk}"
