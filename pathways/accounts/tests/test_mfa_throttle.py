"""A code refused because of django-otp's throttle (after wrong codes in a row) says how
many seconds to wait, not "The code is not right"."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.accounts.mfa import WRONG_CODE, refusal
from pathways.accounts.models import User
from pathways.accounts.tests.test_mfa import _code, _enrol, _password

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def mfa_on(settings: Any) -> None:
    settings.MFA_REQUIRED = True


def _verify(client: Client, code: str) -> str:
    response = client.post("/accounts/mfa/verify/", {"code": code, "next": "/referrals/"})
    return "" if response.status_code == 302 else response.content.decode()


def test_a_refusal_by_the_throttle_says_how_long_to_wait(client: Client, referrer: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _enrol(client, referrer)
        client.post("/accounts/logout/")
        clock.shift(datetime.timedelta(minutes=1))  # a new time step: a fresh code
        _password(client, "referrer")
        device = TOTPDevice.objects.get(user=referrer)
        assert WRONG_CODE in _verify(client, "123456")
        # At once, even the right code is refused by the throttle: it says to wait.
        html = _verify(client, _code(device))
        assert "Wait 1 second, then enter the code your app shows" in html
        assert WRONG_CODE not in html
        # Once the wait is over, a wrong code is wrong again; after two, the wait doubles.
        clock.shift(datetime.timedelta(seconds=2))
        assert WRONG_CODE in _verify(client, "654321")
        assert "Wait 2 seconds" in _verify(client, _code(device))
        clock.shift(datetime.timedelta(seconds=3))
        assert _verify(client, _code(device)) == ""
        assert client.get("/referrals/").status_code == 200


def test_enrolment_says_how_long_to_wait_too(client: Client, referrer: User) -> None:
    with time_machine.travel(START, tick=False):
        _password(client, "referrer")
        client.get("/accounts/mfa/set-up/")
        first = client.post("/accounts/mfa/set-up/", {"code": "000000"}).content.decode()
        assert WRONG_CODE in first
        again = client.post("/accounts/mfa/set-up/", {"code": "000000"}).content.decode()
        assert "Wait 1 second" in again


def test_the_message_counts_seconds() -> None:
    assert refusal(0) == WRONG_CODE
    assert refusal(1).startswith("Too many codes that were not right. Wait 1 second,")
    assert "Wait 8 seconds" in refusal(8)
