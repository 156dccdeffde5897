"""In a browser: the CRN shows under "Probation" once chosen; without JavaScript it shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD
from pathways.core.tests.browser import assert_accessible, sign_in

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = pytest.mark.browser


def test_the_crn_is_revealed_when_probation_is_chosen(
    browser_page: Page, live_server: LiveServer, referrer: User
) -> None:
    page = browser_page
    sign_in(page, live_server.url, "referrer", check_accessibility=False)
    page.goto(live_server.url + "/referrals/new/referral/")
    crn = page.get_by_label("CRN", exact=True)
    expect(crn).to_be_hidden()
    page.get_by_label("Probation", exact=True).check()
    expect(crn).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Youth Offending Service").check()
    expect(crn).to_be_hidden()


def test_without_javascript_the_crn_shows(
    chromium_browser: Browser, live_server: LiveServer, referrer: User
) -> None:
    context = chromium_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("referrer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + "/referrals/new/referral/")
        expect(page.get_by_label("CRN", exact=True)).to_be_visible()
    finally:
        context.close()
