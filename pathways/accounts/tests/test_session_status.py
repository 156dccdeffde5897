"""The session's time left, read without renewing it: what a tab whose timeout warning has run
out asks before leaving the page, in case another tab has kept the session alive."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)


def _sign_in(client: Client) -> None:
    client.post("/accounts/login/", {"username": "referrer", "password": PASSWORD})


def test_it_says_the_seconds_left_without_renewing_them(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        clock.shift(datetime.timedelta(minutes=10))
        assert client.get("/accounts/session/").json() == {"seconds_left": 20 * 60}
        clock.shift(datetime.timedelta(minutes=10))
        # Asked again, 10 minutes on: still counting down from sign-in, not from the last ask.
        assert client.get("/accounts/session/").json() == {"seconds_left": 10 * 60}
        clock.shift(datetime.timedelta(minutes=11))
        # Asking is not activity: the session ended 30 minutes after the last real request.
        assert client.get("/referrals/").status_code == 302


def test_activity_in_another_tab_shows_in_the_answer(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        other_tab = Client()
        other_tab.cookies = client.cookies  # the same browser: the same session cookie
        clock.shift(datetime.timedelta(minutes=25))
        assert other_tab.get("/referrals/").status_code == 200  # the other tab is in use
        clock.shift(datetime.timedelta(minutes=5))
        # This tab's timer has run out, but the session has 25 minutes left.
        assert client.get("/accounts/session/").json() == {"seconds_left": 25 * 60}


def test_a_session_already_ended_has_nothing_left(client: Client, referrer: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/accounts/session/")
        assert response.status_code == 302  # the middleware ends it and sends to sign in
        assert client.get("/accounts/session/").json() == {"seconds_left": 0}


def test_signed_out_it_says_nothing_is_left(client: Client) -> None:
    assert client.get("/accounts/session/").json() == {"seconds_left": 0}


def test_it_only_reads(client: Client, referrer: User) -> None:
    _sign_in(client)
    assert client.post("/accounts/session/").status_code == 405
