"""Fixtures of the API's tests: clients registered as the administrator registers them, a
token from the token endpoint, and a referral body the form accepts."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.api import services
from pathways.api.models import ApiClient
from pathways.api.scopes import SCOPES

ALL_SCOPES = list(SCOPES)
TOKEN_URL = "/api/v1/oauth/token/"


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    """Each test's uploaded extracts in a directory of its own (the suite may run in
    parallel)."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"


@pytest.fixture
def register(admin_user: User) -> Callable[..., services.Registered]:
    def make(service: Service, scopes: list[str] | None = None, name: str = "nDelius") -> Any:
        return services.client_register(
            actor=admin_user, name=name, service=service, scopes=scopes or ALL_SCOPES
        )

    return make


def token_of(client: Client, registered: services.Registered, scope: str = "") -> str:
    credentials = f"{registered.client_id}:{registered.client_secret}".encode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    answer = client.post(
        TOKEN_URL,
        data,
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(credentials).decode(),
    )
    assert answer.status_code == 200, answer.content
    return str(answer.json()["access_token"])


@pytest.fixture
def token(client: Client) -> Callable[..., str]:
    def make(registered: services.Registered, scope: str = "") -> str:
        return token_of(client, registered, scope)

    return make


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def referral_body(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    body: dict[str, Any] = {
        "first_name": "Robyn",
        "last_name": "Hale",
        "date_of_birth": today.replace(year=today.year - 25).isoformat(),
        "gender": "woman",
        "crn": "X123456",
        "area": "Stoke-on-Trent",
        "location": "community",
        "source": "probation",
        "cohort": "iom",
        "order_type": "community_order",
        "reason": "Wants to work.",
        "ete_needs": "No qualifications.",
        "consent_given": True,
        "consent_date": today.isoformat(),
    }
    body.update(overrides)
    return body


def send(client: Client, token: str, body: dict[str, Any], key: str = "key-1") -> Any:
    return client.post(
        "/api/v1/referrals",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(token),
    )


@pytest.fixture
def ndelius(
    service: Service, north: Patch, register: Callable[..., services.Registered]
) -> services.Registered:
    return register(service)


def client_of(registered: services.Registered) -> ApiClient:
    return registered.client
