"""Sign-in: audited successes, failures, sign-outs and lockouts; lockout after 5 failures
with the same page whether or not the account exists; nothing typed is stored or logged;
password rules."""

from __future__ import annotations

import logging
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD
from pathways.core.models import AuditEvent, AuditKind

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def _security(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditKind.SECURITY, action=action).order_by("id"))


def test_a_sign_in_and_sign_out_are_audited(client: Client, referrer: User) -> None:
    assert _sign_in(client, "referrer", PASSWORD) == 302
    client.post("/accounts/logout/")
    [signed_in] = _security("sign_in.succeeded")
    [signed_out] = _security("sign_in.signed_out")
    assert signed_in.actor == signed_out.actor == referrer
    assert signed_in.object_id == str(referrer.pk)


def test_a_failed_sign_in_is_audited_without_what_was_typed(client: Client, referrer: User) -> None:
    assert _sign_in(client, "referrer", "not the password") == 200
    assert _sign_in(client, "Jo Bloggs", "not the password") == 200
    known, unknown = _security("sign_in.failed")
    assert known.actor is None and known.object_id == str(referrer.pk)
    assert known.detail == {"known_account": True}
    assert unknown.object_id == "" and unknown.detail == {"known_account": False}
    for event in AuditEvent.objects.all():
        assert "Bloggs" not in f"{event.summary} {event.detail} {event.object_id}"


def test_five_failures_lock_the_username_whether_or_not_it_exists(
    client: Client, referrer: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pages = {}
    for username in ("referrer", "Jo Bloggs"):
        for _ in range(5):
            _sign_in(client, username, "wrong password here")
        response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 429, username
        pages[username] = re.sub(r'value="[^"]{32,}"', "", response.content.decode())
    assert "Too many attempts to sign in" in pages["referrer"]
    assert pages["referrer"] == pages["Jo Bloggs"]
    # Locked out: even the right password does not sign in.
    assert client.get("/referrals/").status_code == 302
    locked = _security("sign_in.locked_out")
    assert [event.object_id for event in locked][:1] == [str(referrer.pk)]
    assert {event.detail["known_account"] for event in locked} == {True, False}
    # Nothing typed is kept by axes or written to a log.
    for attempt in AccessAttempt.objects.all():
        assert attempt.username.startswith("h:")
        assert "Bloggs" not in attempt.post_data and "referrer" not in attempt.post_data
    assert "Bloggs" not in caplog.text
    assert "wrong password" not in caplog.text


def test_other_users_are_not_locked_out(client: Client, referrer: User, manager: User) -> None:
    for _ in range(6):
        _sign_in(client, "referrer", "wrong password here")
    assert _sign_in(Client(), "manager", PASSWORD) == 302


def test_a_success_before_the_limit_resets_the_count(client: Client, referrer: User) -> None:
    for _ in range(4):
        _sign_in(client, "referrer", "wrong password here")
    assert _sign_in(client, "referrer", PASSWORD) == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        _sign_in(client, "referrer", "wrong password here")
    assert _sign_in(client, "referrer", PASSWORD) == 302


@pytest.mark.parametrize(
    "password",
    [
        "short-one",  # under 12 characters
        "password1234",  # common
        "P@ssw0rd2026!!",  # common, dressed up
        "Pathways-2026!",  # the service's name
        "qwertyuiopasdf",  # a keyboard run
        "aaaaaaaaaaaaaaaa",  # one character
        "Liverpool123456",  # a common word and digits
    ],
)
def test_guessable_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "kettle-orbit-marmalade", "tidal lantern 9 fox"]
)
def test_long_passwords_need_no_digits_or_symbols(password: str) -> None:
    validate_password(password)
