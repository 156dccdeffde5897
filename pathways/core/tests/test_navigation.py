"""The navigation is built from the same actions that guard the pages: each role sees
the entries it saw before, and every entry it sees opens (never the 404 of a refusal)."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import User

EXPECTED = {
    "referrer": ["Referrals", "Find a person", "Make a referral"],
    "worker_north": [
        "Caseload",
        "To do",
        "Referrals",
        "Waiting list",
        "Placements",
        "Employers",
        "Opportunities",
        "Find a person",
    ],
    "manager": [
        "To do",
        "Referrals",
        "Waiting list",
        "Placements",
        "Employers",
        "Opportunities",
        "Find a person",
        "Make a referral",
        "Service overview",
        "Outcomes",
        "Board reports",
        "Probation data",
    ],
    "commissioner": ["Service overview", "Outcomes", "Board reports"],
    "admin": ["Administration", "Refusals flagged"],
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_sees_its_entries_and_each_opens(
    persona: str, personas: dict[str, User], client: Client
) -> None:
    client.force_login(personas[persona])
    home = client.get("/", follow=True)  # each role's home page
    items = home.context["nav_items"]
    assert [item["label"] for item in items] == EXPECTED[persona]
    for item in items:
        opened = client.get(item["url"])
        assert opened.status_code in (200, 302), f"{persona}: {item['label']} {item['url']}"


def test_a_user_without_a_service_is_offered_nothing(worker_north: User, client: Client) -> None:
    User.objects.filter(pk=worker_north.pk).update(service=None, patch=None)
    client.force_login(User.objects.get(pk=worker_north.pk))
    page = client.get("/referrals/")
    assert page.status_code == 404
    assert page.context["nav_items"] == []
