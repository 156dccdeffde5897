"""The API's pages in Chromium, checked with axe-core and for CSP violations: the
documentation (no script from outside), and the administrator registering a client (the
secret shown once), reading it and suspending it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import Service, User
from pathways.api.models import ApiClient
from pathways.core.tests.browser import assert_accessible, assert_no_csp_violations, sign_in

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = pytest.mark.browser


def test_the_documentation_page_is_accessible_without_scripts_from_outside(
    browser_page: Page, live_server: LiveServer
) -> None:
    outside: list[str] = []
    browser_page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    browser_page.goto(live_server.url + "/api/v1/docs/")
    assert browser_page.locator("h1").inner_text() == "API documentation"
    assert browser_page.locator("code", has_text="/api/v1/referrals/{referral_id}").count() >= 1
    assert_accessible(browser_page)
    assert_no_csp_violations(browser_page)
    assert outside == []


def test_the_administrator_registers_and_suspends_a_client(
    browser_page: Page, live_server: LiveServer, admin_user: User, service: Service
) -> None:
    sign_in(browser_page, live_server.url, "admin")
    browser_page.goto(live_server.url + "/api-clients/")
    assert_accessible(browser_page)
    browser_page.get_by_role("button", name="Register a client").click()
    browser_page.get_by_role("button", name="Register the client").click()
    assert_accessible(browser_page)  # the errors
    browser_page.get_by_label("Name of the system").fill("nDelius (Stoke PDU)")
    browser_page.get_by_label("Service", exact=True).select_option(label=service.name)
    browser_page.get_by_role("checkbox", name="referrals:write").check()
    browser_page.get_by_role("checkbox", name="referrals:read").check()
    browser_page.get_by_role("button", name="Register the client").click()
    client = ApiClient.objects.get()
    secret = browser_page.locator("code.app-break-all").inner_text()
    assert client.application.client_secret != secret  # only its hash is kept
    assert_accessible(browser_page)
    browser_page.get_by_role("link", name="Go to the client").click()
    assert secret not in browser_page.content()
    assert_accessible(browser_page)
    browser_page.get_by_role("button", name="Suspend the client").click()
    assert_accessible(browser_page)
    browser_page.get_by_role("button", name="Suspend the client").click()
    assert browser_page.locator(".govuk-tag", has_text="Suspended").count() == 1
    client.refresh_from_db()
    assert client.suspended


def test_the_api_pages_reflow_at_320_px(
    browser_page: Page, live_server: LiveServer, admin_user: User, service: Service
) -> None:
    from pathways.api.services import client_register
    from pathways.core.tests.test_browser_reflow import _check

    client = client_register(
        actor=admin_user, name="nDelius", service=service, scopes=["referrals:read"]
    ).client
    browser_page.set_viewport_size({"width": 320, "height": 800})
    wide: list[str] = []
    browser_page.goto(live_server.url + "/api/v1/docs/")
    _check(browser_page, wide)
    sign_in(browser_page, live_server.url, "admin")
    for path in ("/api-clients/", "/api-clients/new/", f"/api-clients/{client.pk}/"):
        browser_page.goto(live_server.url + path)
        _check(browser_page, wide)
    assert not wide, wide
