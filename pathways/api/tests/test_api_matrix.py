"""Every API operation, by every kind of caller (``api_matrix``), answers as declared:
deny by default, one line per operation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver

from pathways.accounts.models import Service
from pathways.accounts.tests.factories import AreaFactory, PatchFactory, ServiceFactory
from pathways.api import services
from pathways.api.tests.api_matrix import CALLERS, RULES, ApiRule
from pathways.api.tests.conftest import bearer, referral_body, token_of
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

NOT_OPERATIONS = {"api:openapi-json"}


def api_url_names() -> set[str]:
    resolver: Any = next(
        entry
        for entry in get_resolver().url_patterns
        if str(entry.pattern) == "api/v1/"  # the API's include
    )
    names = set()
    for entry in resolver.url_patterns:
        inner = getattr(entry, "url_patterns", [entry])
        for pattern in inner:
            if isinstance(pattern, URLPattern) and pattern.name:
                namespace = getattr(entry, "namespace", None)
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return {name for name in names if name.startswith("api:")} - NOT_OPERATIONS


def test_every_api_operation_has_a_line() -> None:
    names = api_url_names()
    assert names, "no API operations found"
    assert names == set(RULES), (
        f"missing: {sorted(names - set(RULES))}; stale: {sorted(set(RULES) - names)}"
    )


@pytest.fixture
def callers(
    client: Client, service: Service, north: Any, register: Any, admin_user: Any, settings: Any
) -> dict[str, Any]:
    settings.API_RATE_LIMIT = 10_000
    owner = register(service, name="Owner")
    tokens: dict[str, str | None] = {"anonymous": None}
    for scope in owner.client.scopes:
        tokens[scope] = token_of(client, owner, scope)
    tokens["other_client"] = token_of(client, register(service, name="Other"))
    elsewhere = ServiceFactory(name="Elsewhere")
    # An area of the same name: the referral body fits both services.
    AreaFactory(patch=PatchFactory(service=elsewhere, name="West"), name="Stoke-on-Trent")
    tokens["elsewhere"] = token_of(client, register(elsewhere, name="Elsewhere's"))
    suspended = register(service, name="Suspended")
    tokens["suspended"] = token_of(client, suspended)
    services.client_suspend(actor=admin_user, client=suspended.client)
    owned = tokens["referrals:write"]
    assert owned is not None
    made = client.post(
        "/api/v1/referrals",
        referral_body(),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="owner-1",
        **bearer(owned),
    )
    batch = _extract_upload(client, tokens["imports:write"])
    return {
        "tokens": tokens,
        "referral": made.json()["id"],
        "batch": batch.json()["id"],
        "slug": service.slug,
    }


def _extract_upload(client: Client, token: str | None) -> Any:
    extract = io.BytesIO(b"crn,order_type,start_date\nX000001,licence,2026-01-01\n")
    extract.name = "orders.csv"
    headers = bearer(token) if token else {}
    return client.post("/api/v1/imports", {"kind": "orders", "file": extract}, **headers)


def _call(client: Client, rule: ApiRule, caller: str, world: dict[str, Any], n: int) -> Any:
    token = world["tokens"][caller]
    headers = bearer(token) if token else {}
    path = rule.path.format(referral=world["referral"], batch=world["batch"])
    if rule.body == "referral":
        body = referral_body(first_name=f"Caller{n}", crn=f"X9{n:05d}")
        return client.post(
            path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"m{n}", **headers
        )
    if rule.body == "extract":
        return _extract_upload(client, token)
    query = {**rule.query, "service": world["slug"]} if rule.service else rule.query
    return client.get(path, query, **headers)


def test_api_matrix(client: Client, callers: dict[str, Any]) -> None:
    wrong = []
    made_before = Referral.objects.count()
    allowed_to_make = 0
    for n, (caller, (name, rule)) in enumerate(
        (caller, item) for caller in CALLERS for item in RULES.items()
    ):
        expected = rule.expected(caller)
        response = _call(client, rule, caller, callers, n)
        if response.status_code != expected:
            wrong.append(f"{caller} {name}: {response.status_code}, expected {expected}")
        elif expected >= 400 and response["Content-Type"] != "application/problem+json":
            wrong.append(f"{caller} {name}: {expected} is not a problem")
        if name == "api:referral_create" and expected == 201:
            allowed_to_make += 1
    assert not wrong, "\n  ".join(["", *wrong])
    # Only the callers allowed to make a referral made one.
    assert Referral.objects.count() == made_before + allowed_to_make
