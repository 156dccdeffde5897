"""Fixtures: a fake Notify on 127.0.0.1 wired into the settings, and a case whose people
have email addresses and a mobile number."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from pathways.accounts.models import User
from pathways.notifications.templates import TEMPLATES
from pathways.notifications.tests.fake_notify import FakeNotify

TEMPLATE_IDS = {key: str(uuid.uuid5(uuid.NAMESPACE_URL, key)) for key in TEMPLATES}
KEY_OF = {template_id: key for key, template_id in TEMPLATE_IDS.items()}


@pytest.fixture
def notify(settings: Any) -> Iterator[FakeNotify]:
    fake = FakeNotify().start()
    settings.NOTIFY_API_KEY = fake.api_key
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_TEMPLATE_IDS = TEMPLATE_IDS
    settings.NOTIFY_CALLBACK_TOKEN = "callback-token-for-tests"
    settings.PATHWAYS_BASE_URL = "https://pathways.example"
    yield fake
    fake.stop()


@pytest.fixture
def emails(personas: dict[str, User]) -> dict[str, User]:
    """Every persona with an email address."""
    for name, user in personas.items():
        user.email = f"{name}@example.gov.uk"
        user.save(update_fields=["email"])
    return personas


def sent_as(fake: FakeNotify) -> list[tuple[str, str, dict[str, Any]]]:
    """What the fake was sent: (template key, address, personalisation)."""
    return [
        (
            KEY_OF[n["template_id"]],
            n.get("email_address") or n.get("phone_number", ""),
            n["personalisation"],
        )
        for n in fake.sent
    ]
