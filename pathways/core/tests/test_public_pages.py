"""The footer's pages: the accessibility statement (in the form of GOV.UK's sample), the
privacy notice and the cookies page, open without signing in and linked from every page."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import User

PAGES = {
    "/accessibility/": [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website\u2019s accessibility",
        "Compliance status",
        "Non-accessible content",
        "What we\u2019re doing to improve accessibility",
        "Preparation of this accessibility statement",
        "axe-core",
        "320 pixels",
        "keyboard",
    ],
    "/privacy/": [
        "What personal data we hold",
        "Why we hold it",
        "Lawful basis",
        "article 6(1)(e)",
        "How long we keep it",
        "6 years after the end of their last episode of support",
        "Your rights",
    ],
    "/cookies/": ["Strictly necessary cookies", "sessionid", "csrftoken"],
}
FOOTER = ['href="/accessibility/"', 'href="/privacy/"', 'href="/cookies/"']


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_open_without_signing_in_and_says_what_it_must(
    client: Client, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    for text in PAGES[path]:
        assert text in body, text
    for link in FOOTER:
        assert link in body


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_shown_to_a_user_part_way_through_signing_in(
    client: Client, referrer: User, settings: object, path: str
) -> None:
    settings.MFA_REQUIRED = True  # type: ignore[attr-defined]
    client.force_login(referrer)  # password given, no second factor yet
    assert client.get(path).status_code == 200


def test_every_page_has_the_footer_links(client: Client, worker_north: User) -> None:
    assert all(link in client.get("/accounts/login/").content.decode() for link in FOOTER)
    client.force_login(worker_north)
    body = client.get("/caseload/").content.decode()
    assert all(link in body for link in FOOTER)


def test_contact_is_the_configured_address_or_else_names_the_role(
    client: Client, settings: object
) -> None:
    body = client.get("/accessibility/").content.decode()
    assert "the Pathways service manager" in body
    assert "mailto:" not in body  # no made-up address
    settings.SERVICE_CONTACT_EMAIL = "pathways@probation.example.org"  # type: ignore[attr-defined]
    body = client.get("/accessibility/").content.decode()
    assert 'href="mailto:pathways@probation.example.org"' in body


def test_the_pages_refuse_anything_but_reading(client: Client) -> None:
    assert client.post("/cookies/").status_code == 405
