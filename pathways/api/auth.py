"""Who calls: a bearer token issued to a registered client (``oauth.Validator``), not
expired, revoked or suspended, holding the scope the operation needs; within its rate.
Runs before the operation reads any input, so a call without the scope is refused (403)
whatever it sent."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from ninja.security.base import AuthBase
from oauth2_provider.models import AccessToken

from pathways.api.models import ApiClient
from pathways.api.problems import Problem
from pathways.api.ratelimit import seconds_to_wait
from pathways.api.scopes import SCOPES
from pathways.core.audit import audit_refusal, audit_security
from pathways.core.roles import Role

TOKEN_URL = "/api/v1/oauth/token/"  # noqa: S105 - an address, not a secret
SUSPENDED = "api.refused_suspended"


def _token(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _acts_as_its_account(client: ApiClient) -> bool:
    """The client's account is still what registration made (a referrer of the client's
    service, active): an account changed by hand is refused, never widened."""
    account = client.account
    return (
        account.is_active
        and account.role == Role.REFERRER
        and account.service_id == client.service_id
        and not account.has_usable_password()
    )


class ClientToken(AuthBase):
    """OAuth2 client credentials; one instance per scope an operation needs."""

    openapi_type = "oauth2"
    openapi_flows = {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": SCOPES}}
    openapi_description = (
        "A token from the token endpoint (client credentials), sent as "
        "'Authorization: Bearer <token>'. Tokens last an hour at most."
    )

    def __init__(self, scope: str) -> None:
        assert scope in SCOPES, scope
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiClient | None:
        token = _token(request)
        if not token:
            return None
        access = (
            AccessToken.objects.filter(
                token_checksum=hashlib.sha256(token.encode("utf-8")).hexdigest()
            )
            .only("application_id", "expires", "scope")
            .first()
        )
        if access is None or access.is_expired() or access.application_id is None:
            return None
        client = (
            ApiClient.objects.select_related("service", "account")
            .filter(application_id=access.application_id)
            .first()
        )
        if client is None:
            return None
        if client.suspended or not _acts_as_its_account(client):
            audit_security(actor=client.account, action=SUSPENDED)
            raise Problem(401, "This client is suspended. Ask the service's administrator.")
        wait = seconds_to_wait(client.pk)
        if wait:
            raise Problem(
                429,
                f"Too many calls: wait {wait} seconds, then try again.",
                headers={"Retry-After": str(wait)},
            )
        granted = set(access.scope.split()) & set(client.scopes)
        if self.scope not in granted:
            _refuse(request, client)
            raise Problem(403, f"This call needs the scope {self.scope}, which the token lacks.")
        request.api_client = client  # type: ignore[attr-defined]
        return client


def _refuse(request: HttpRequest, client: ApiClient) -> None:
    match = request.resolver_match
    audit_refusal(
        actor=client.account,
        object_type=f"api:{match.view_name if match else request.path}"[:64],
        object_id="",
    )


def client_of(request: Any) -> ApiClient:
    """The client an operation runs for (its auth has passed)."""
    client: ApiClient = request.auth
    return client
