"""The administrator's API client pages and the documentation page."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.api.models import ApiClient
from pathways.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_registering_shows_the_secret_once_and_audits(
    client: Client, admin_user: User, service: Service
) -> None:
    client.force_login(admin_user)
    answer = client.post(
        "/api-clients/new/",
        {"name": "nDelius", "service": service.pk, "scopes": ["referrals:write", "figures:read"]},
    )
    assert answer.status_code == 200
    registered = answer.context["registered"]
    assert registered.client_secret in answer.content.decode()
    assert answer["Cache-Control"] == "no-store"
    api_client = ApiClient.objects.get()
    assert api_client.scopes == ["referrals:write", "figures:read"]
    assert api_client.application.client_secret != registered.client_secret
    account = api_client.account
    assert account.role == "referrer" and account.service == service
    assert not account.has_usable_password()
    detail = client.get(f"/api-clients/{api_client.pk}/")
    assert registered.client_secret not in detail.content.decode()
    assert registered.client_id in detail.content.decode()
    event = AuditEvent.objects.get(action="api_client.registered")
    assert event.actor == admin_user
    assert registered.client_secret not in str(event.detail)


def test_a_client_needs_a_name_a_service_and_a_scope(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    answer = client.post("/api-clients/new/", {"name": ""})
    text = answer.content.decode()
    assert "Enter name of the system" in text
    assert "Select the service the client works with" in text
    assert "Select at least one thing the client may do" in text
    assert not ApiClient.objects.exists()


def test_the_documentation_lists_every_operation(client: Client) -> None:
    from pathways.api.api import api

    page = client.get("/api/v1/docs/").content.decode()
    schema = api.get_openapi_schema()
    assert schema["openapi"].startswith("3.1")
    for url, item in schema["paths"].items():
        for method in item:
            assert f'{method.upper()}</strong> <code class="app-break-all">{url}</code>' in page
    document = client.get("/api/v1/openapi.json").json()
    assert document["components"]["securitySchemes"]["ClientToken"]["type"] == "oauth2"
    assert document["paths"]["/api/v1/referrals"]["post"]["security"] == [
        {"ClientToken": ["referrals:write"]}
    ]
    assert "Bearer" in document["components"]["securitySchemes"]["ClientToken"]["description"]
    problem = document["paths"]["/api/v1/referrals"]["post"]["responses"]["422"]["content"]
    assert list(problem) == ["application/problem+json"]
