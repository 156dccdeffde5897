"""No personal data in logs or URLs: a canary value is written into a person's record, every
URL is walked by every role (with forged posts, a 404, form errors, a search and a failed
sign-in), and the canary must appear in no log record and no URL asked for or redirected to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from pathways.accounts.models import User
from pathways.core.tests.access_matrix import ROLES
from pathways.core.tests.test_access_matrix import checked_routes, url_of
from pathways.participants.models import Participant
from pathways.plans.models import Goal
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

CANARY = "Qwzcanaryxv"
LOGGERS = ["", "django", "django.request", "django.server", "django.security", "axes"]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text} {record.args!r}")


@pytest.fixture
def captured() -> Iterator[Capture]:
    capture = Capture()
    levels = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(capture)
            logging.getLogger(name).setLevel(levels[name])


def test_the_canary_reaches_no_log_and_no_url(
    client: Client,
    personas: dict[str, User],
    records: dict[str, int],
    case: Referral,
    captured: Capture,
) -> None:
    Participant.objects.filter(pk=case.participant_id).update(
        last_name=CANARY, address=f"1 {CANARY} Street", email=f"{CANARY.lower()}@example.org"
    )
    Goal.objects.filter(pk=records["goal"]).update(title=f"Work with {CANARY}")
    urls: list[str] = []

    def seen(response: Any) -> None:
        request = response.wsgi_request
        urls.append(request.get_full_path())
        if "Location" in response:
            urls.append(response["Location"])
        for hop, _status in getattr(response, "redirect_chain", []):
            urls.append(hop)

    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(personas[role])
        for route, rule in checked_routes():
            url = url_of(route, rule, records)
            seen(client.get(url))
            if rule.expected(role) == 404:
                seen(client.post(url, {"notes": CANARY}))
        seen(client.get("/no-such-page/"))
    # Forms with errors, a search, and a sign-in with the canary as the username.
    client.force_login(personas["manager"])
    seen(client.post("/participants/find/", {"query": CANARY}))
    seen(client.post("/referrals/new/person/", {"last_name": CANARY}))
    seen(client.post(f"/referrals/{case.pk}/amend/", {"phone": CANARY}))
    seen(client.post(f"/referrals/{case.pk}/plan/goals/new/", {"title": CANARY}))
    client.logout()
    seen(client.post("/accounts/login/", {"username": CANARY, "password": CANARY}))
    for _ in range(6):
        seen(client.post("/accounts/login/", {"username": CANARY, "password": "x"}))

    page = client.get(f"/participants/{case.participant_id}/")
    assert page.status_code == 302  # signed out: the walk above did reach the canary's pages
    assert len(captured.lines) > 100, "the walk should have logged plenty"
    in_logs = [line for line in captured.lines if CANARY.lower() in line.lower()]
    in_urls = [url for url in urls if CANARY.lower() in url.lower()]
    assert not in_logs, in_logs[:5]
    assert not in_urls, in_urls[:5]


def test_the_canary_is_really_on_the_pages(
    client: Client, records: dict[str, int], case: Referral, manager: User
) -> None:
    """The contrast: the walk above would have found the canary had it leaked."""
    Participant.objects.filter(pk=case.participant_id).update(last_name=CANARY)
    client.force_login(manager)
    assert CANARY in client.get(f"/participants/{case.participant_id}/").content.decode()
