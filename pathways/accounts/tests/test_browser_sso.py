"""Single sign-on in a real browser: the sign-in page with "Sign in with <provider>" passes
axe-core under the CSP; the button goes to the provider (the fake one on 127.0.0.1), which
sends the browser back signed in; a refusal comes back to the sign-in page, accessibly."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import User
from pathways.accounts.tests.fake_oidc import FakeProvider, Person
from pathways.core.tests.browser import assert_accessible

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_signing_in_with_the_provider(
    browser_page: Page, live_server: LiveServer, provider: FakeProvider, worker_north: User
) -> None:
    worker_north.email = "sam.north@council.example"
    worker_north.save()
    provider.person = Person(sub="provider-id-1", email="Sam.North@council.example")
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("button", name="Sign in with Test Council")
    expect(button).to_be_visible()
    assert_accessible(page)
    button.click()
    page.wait_for_url(f"{live_server.url}/caseload/")
    expect(page.get_by_text("Signed in as")).to_be_attached()
    assert_accessible(page)


def test_a_refusal_comes_back_to_the_sign_in_page(
    browser_page: Page, live_server: LiveServer, provider: FakeProvider, worker_north: User
) -> None:
    provider.person = Person(sub="stranger-1", email="jo.bloggs@elsewhere.example")
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Test Council").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text("You could not be signed in with Test Council.")).to_be_visible()
    assert_accessible(page)
