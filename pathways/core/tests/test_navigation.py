"""The navigation is built from the same actions that guard the pages: each role sees
the entries it saw before, and every entry it sees opens (never the 404 of a refusal)."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import User
from pathways.core.context_processors import MAX_ITEMS
from pathways.referrals.models import Referral

EXPECTED = {
    "referrer": ["Referrals", "Find a person", "Make a referral"],
    "worker_north": [
        "Caseload",
        "To do",
        "Referrals",
        "Waiting list",
        "Find a person",
        "Placements",
        "More",
    ],
    "manager": [
        "To do",
        "Referrals",
        "Waiting list",
        "Find a person",
        "Placements",
        "Employers",
        "More",
    ],
    "commissioner": ["Summary", "Outcomes", "Board reports", "Service overview"],
    "admin": ["Administration", "Refusals flagged", "Feedback", "API clients"],
}
# What "More" lists, for the roles with more sections than the navigation holds.
MORE = {
    "worker_north": ["Employers", "Opportunities"],
    "manager": [
        "Opportunities",
        "Summary",
        "Outcomes",
        "Board reports",
        "Service overview",
        "Make a referral",
        "Probation data",
        "Feedback",
    ],
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_sees_its_entries_and_each_opens(
    persona: str, personas: dict[str, User], client: Client
) -> None:
    client.force_login(personas[persona])
    home = client.get("/", follow=True)  # each role's home page
    items = home.context["nav_items"]
    assert [item["label"] for item in items] == EXPECTED[persona]
    assert len(items) <= MAX_ITEMS
    more = client.get("/more/").context["nav_more"]
    assert [item["label"] for item in more] == MORE.get(persona, [])
    for item in [*items, *more]:
        opened = client.get(item["url"])
        assert opened.status_code in (200, 302), f"{persona}: {item['label']} {item['url']}"


@pytest.mark.parametrize(
    ("persona", "path", "current"),
    [
        ("worker_north", "/referrals/{case}/plan/", "Caseload"),
        ("worker_north", "/referrals/{case}/contacts/", "Caseload"),
        ("worker_north", "/participants/{person}/", "Caseload"),
        ("worker_north", "/referrals/{case}/", "Referrals"),
        ("worker_north", "/participants/find/", "Find a person"),
        ("worker_north", "/employers/opportunities/", "More"),
        ("manager", "/outcomes/", "More"),
        ("manager", "/more/", "More"),
        ("manager", "/referrals/{case}/plan/", "Referrals"),
        ("manager", "/employers/", "Employers"),
    ],
)
def test_the_current_section_is_the_one_highlighted(
    persona: str,
    path: str,
    current: str,
    personas: dict[str, User],
    case: Referral,
    client: Client,
) -> None:
    client.force_login(personas[persona])
    page = client.get(path.format(case=case.pk, person=case.participant_id))
    assert page.status_code == 200
    active = [item["label"] for item in page.context["nav_items"] if item["active"]]
    assert active == [current]


def test_a_user_without_a_service_is_offered_nothing(worker_north: User, client: Client) -> None:
    User.objects.filter(pk=worker_north.pk).update(service=None, patch=None)
    client.force_login(User.objects.get(pk=worker_north.pk))
    page = client.get("/referrals/")
    assert page.status_code == 404
    assert page.context["nav_items"] == []
