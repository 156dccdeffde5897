"""Changes made through the API and to its clients. Each is atomic and audited."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from pathways.accounts.models import Service, User
from pathways.api.models import ApiClient, IdempotencyKey
from pathways.api.scopes import SCOPES
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken
from pathways.core.roles import Role
from pathways.referrals import services as referral_services
from pathways.referrals.forms import ReferralForm, split_referral_data
from pathways.referrals.models import Referral
from pathways.referrals.people import likely_duplicates


@dataclass(frozen=True)
class Registered:
    client: ApiClient
    client_id: str
    # Shown to the administrator once: only its hash is kept.
    client_secret: str


@transaction.atomic
def client_register(*, actor: User, name: str, service: Service, scopes: list[str]) -> Registered:
    """Register a system: its account (a referrer of the service that cannot sign in), its
    OAuth2 application (client credentials, the secret hashed), and the client binding
    them to the service with its scopes."""
    require(actor, Action.ADMINISTER)
    name = name.strip()
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise RuleBroken("Select at least one scope from the list.")
    account = User(
        username=f"api-{slugify(name)[:40] or 'client'}-{secrets.token_hex(4)}",
        role=Role.REFERRER,
        service=service,
        first_name="API client",
        last_name=name[:150],
        organisation=name[:120],
    )
    account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save(changed_by=actor)
    secret = generate_client_secret()
    application = Application(
        name=name[:255],
        user=account,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    application.save()
    client = ApiClient.objects.create(
        name=name,
        service=service,
        application=application,
        account=account,
        scopes=[scope for scope in SCOPES if scope in scopes],
        created_by=actor,
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="api_client.registered",
        obj=client,
        subject_id=None,
        summary=f"API client {client.pk} registered",
        detail={"service": service.pk, "scopes": client.scopes, "account": account.pk},
    )
    return Registered(client, application.client_id, secret)


@transaction.atomic
def client_suspend(*, actor: User, client: ApiClient) -> ApiClient:
    """Suspend a client at once: its tokens are revoked, and every call, token request
    included, is refused from now (``pathways.api.auth``, ``pathways.api.oauth``)."""
    require(actor, Action.ADMINISTER)
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.suspended:
        return locked
    locked.suspended_at = timezone.now()
    locked.save(update_fields=["suspended_at"])
    revoked, _ = AccessToken.objects.filter(application_id=locked.application_id).delete()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="api_client.suspended",
        obj=locked,
        subject_id=None,
        summary=f"API client {locked.pk} suspended",
        detail={"tokens_revoked": revoked},
    )
    return locked


@transaction.atomic
def client_reinstate(*, actor: User, client: ApiClient) -> ApiClient:
    require(actor, Action.ADMINISTER)
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not locked.suspended:
        return locked
    locked.suspended_at = None
    locked.save(update_fields=["suspended_at"])
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="api_client.reinstated",
        obj=locked,
        subject_id=None,
        summary=f"API client {locked.pk} reinstated",
    )
    return locked


# ---------------------------------------------------------------- referrals


class KeyReused(RuleBroken):
    """An Idempotency-Key sent again with a different body."""


class FormInvalid(Exception):
    """The referral's answers break the form's rules: field name to messages."""

    def __init__(self, errors: dict[str, list[Any]]) -> None:
        super().__init__("The referral has errors")
        self.errors = errors


def body_hash(body: dict[str, Any]) -> str:
    """The body as the client meant it: canonical JSON (keys sorted), hashed."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _form_data(service: Service, body: dict[str, Any]) -> dict[str, Any]:
    """The API's JSON as the referral form's posted data, so the form's own checks and
    messages apply: dates as day, month and year; the area by its name in the service."""
    data: dict[str, Any] = {}
    for name, value in body.items():
        if value is None:
            continue
        if name == "area":
            area = (
                ReferralForm(service=service)
                .fields["area"]
                .queryset.filter(  # type: ignore[attr-defined]
                    name__iexact=str(value).strip()
                )
                .first()
            )
            data[name] = str(area.pk) if area is not None else "unknown"
        elif hasattr(value, "isoformat") and not isinstance(value, str):
            data[f"{name}-day"], data[f"{name}-month"], data[f"{name}-year"] = (
                str(value.day),
                str(value.month),
                str(value.year),
            )
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


@dataclass(frozen=True)
class Sent:
    referral: Referral
    replayed: bool


def referral_send(*, client: ApiClient, body: dict[str, Any], key: str) -> Sent:
    """Make a referral as the client, through the referral form's checks and the same
    service as the page (``referrals.services.referral_create``). A likely duplicate is
    never joined by a machine: the referral is held for the service manager, who joins or
    separates it, whatever records matched. The same key and body give the same referral;
    the same key with another body is refused (``KeyReused``)."""
    digest = body_hash(body)
    found = _replay(client, key, digest)
    if found is not None:
        return found
    service = client.service
    form = ReferralForm(_form_data(service, body), service=service)
    if not form.is_valid():
        raise FormInvalid(
            {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        )
    person, details = split_referral_data(form.cleaned_data)
    matches = likely_duplicates(
        client.account,
        crn=person["crn"],
        first_name=person["first_name"],
        last_name=person["last_name"],
        date_of_birth=person["date_of_birth"],
    )
    try:
        with transaction.atomic():
            # The key first: the same key sent twice at once waits here on the unique index
            # until the first commits, then answers its referral; nothing else is written.
            record = IdempotencyKey.objects.create(
                client=client, key=key, body_hash=digest, status=201
            )
            referral = referral_services.referral_create(
                actor=client.account,
                service=service,
                person=person,
                details=details,
                hold_for=matches,
            )
            record.referral_id = referral.pk
            record.save(update_fields=["referral_id"])
    except IntegrityError:
        found = _replay(client, key, digest)
        if found is None:
            raise
        return found
    return Sent(referral, replayed=False)


def _replay(client: ApiClient, key: str, digest: str) -> Sent | None:
    record = IdempotencyKey.objects.filter(client=client, key=key).first()
    if record is None:
        return None
    if record.body_hash != digest:
        raise KeyReused(
            "This Idempotency-Key was used with a different body. Use a new key for a new referral."
        )
    referral = (
        None
        if record.referral_id is None
        else Referral.objects.filter(pk=record.referral_id).first()
    )
    if referral is None:
        # Deleted at the end of its retention (data_protection.retention).
        raise KeyReused("The referral this Idempotency-Key made is no longer held.")
    return Sent(referral, replayed=True)
