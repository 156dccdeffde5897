"""Headers, cookies and sessions (docs/security.md): CSP with no inline script, HSTS,
nosniff, referrer policy, framing refused, secure cookies, 30 minutes idle and 12 hours at
most, a new session id at sign-in, and sign-out ends the session."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD
from pathways.core.models import AuditEvent, AuditKind

pytestmark = pytest.mark.django_db

REPO = Path(settings.BASE_DIR)
T0 = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("path", ["/accounts/login/", "/referrals/", "/admin/"])
def test_every_page_sends_the_security_headers(client: Client, manager: User, path: str) -> None:
    client.force_login(manager)
    response = client.get(path)
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]


def test_hsts_is_sent_over_https(client: Client) -> None:
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_cookies_are_secure_http_only_and_same_site(client: Client, referrer: User) -> None:
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", {"username": "referrer", "password": PASSWORD}, follow=False
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["secure"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"]  # ends with the browser, and on the server after 12 hours
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["secure"]


def test_no_template_has_inline_script_or_event_handlers() -> None:
    """The CSP allows no inline script; the templates must not need any."""
    offenders = []
    for template in (REPO / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template.relative_to(REPO)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template.relative_to(REPO)}: an on...= event handler")
        if re.search(r"\sstyle\s*=", text):
            offenders.append(f"{template.relative_to(REPO)}: a style attribute")
    assert not offenders, offenders


def test_a_new_session_id_at_sign_in(client: Client, referrer: User) -> None:
    client.get("/accounts/login/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "planted-by-someone-else"
    client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "planted-by-someone-else"
    assert client.get("/referrals/").status_code == 200


def test_sign_out_ends_the_session_on_the_server(client: Client, referrer: User) -> None:
    client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, is not signed in.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/referrals/").status_code == 302


def test_an_idle_session_ends_after_30_minutes(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/referrals/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))  # 29 minutes after the last request
        assert client.get("/referrals/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/referrals/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Freferrals%2F"
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because you had not done anything for 30 minutes." in page
        assert client.get("/referrals/").status_code == 302  # signed out for good
    assert AuditEvent.objects.filter(
        kind=AuditKind.SECURITY, action="session.expired_idle", actor=referrer
    ).exists()


def test_a_session_ends_after_12_hours_however_active(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
        for _ in range(12 * 3):
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/referrals/").status_code == 200
        clock.shift(datetime.timedelta(minutes=1))
        assert client.get("/referrals/").status_code == 302
    assert AuditEvent.objects.filter(action="session.expired", actor=referrer).exists()


def test_staying_signed_in_renews_the_idle_time(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
        clock.shift(datetime.timedelta(minutes=28))
        response = client.post("/accounts/keep-alive/")
        assert response.json() == {"seconds_left": 30 * 60}
        clock.shift(datetime.timedelta(minutes=28))
        assert client.get("/referrals/").status_code == 200


def test_the_page_knows_how_long_is_left(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})
        clock.shift(datetime.timedelta(seconds=30))  # under the write resolution: not renewed
        html = client.get("/referrals/").content.decode()
    assert 'data-seconds-left="1770"' in html
    assert 'data-warning-seconds="120"' in html
    assert "Stay signed in" in html
    assert "/static/js/session-timeout.js" in html


def test_no_timeout_warning_when_signed_out(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "app-timeout-dialog" not in html
