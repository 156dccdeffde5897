"""Sign-in, the home page per role, the health check and the headers on every page."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


def test_healthz_says_when_the_database_is_down(client: Client) -> None:
    with mock.patch("pathways.core.views.connection.cursor", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("referrer", "/referrals/"),
        ("worker_north", "/caseload/"),
        ("manager", "/to-do/"),
        ("commissioner", "/summary/"),
        ("admin", "/admin/"),
    ],
)
def test_home_sends_each_role_to_its_start(
    client: Client, personas: dict[str, User], role: str, home: str
) -> None:
    client.force_login(personas[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home


def test_a_user_without_a_role_is_told(client: Client) -> None:
    client.force_login(UserFactory.create(role=""))
    response = client.get("/")
    assert response.status_code == 403
    assert "has no role yet" in response.content.decode()


def test_sign_in_with_username_and_password(client: Client, referrer: User) -> None:
    page = client.get("/accounts/login/")
    assert 'name="username"' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/referrals/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client: Client, referrer: User) -> None:
    response = client.post("/accounts/login/", {"username": "referrer", "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_sign_out_ends_the_session(client: Client, referrer: User) -> None:
    client.force_login(referrer)
    client.post("/accounts/logout/")
    assert client.get("/referrals/").status_code == 302


def test_pages_are_never_cached(client: Client, referrer: User) -> None:
    client.force_login(referrer)
    response = client.get("/referrals/")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
