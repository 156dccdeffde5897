"""The timeout warning says the true time left and announces it politely; with two tabs open,
a tab whose timer runs out asks the server before leaving, so a session kept alive in the
other tab keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import User
from pathways.core.tests.browser import sign_in

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = pytest.mark.browser


def test_the_warning_says_the_true_time_left(
    browser_page: Page, live_server: LiveServer, referrer: User, settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 155
    settings.SESSION_TIMEOUT_WARNING = 150  # the warning opens with 2 minutes 30 seconds left
    page = browser_page
    sign_in(page, live_server.url, "referrer", check_accessibility=False)
    dialog = page.get_by_role("dialog", name=re.compile("about to be signed out"))
    expect(dialog).to_be_visible(timeout=10_000)
    # Not "3 minutes" (rounded up) with 2 and a half left.
    expect(dialog.locator(".app-timeout-dialog__countdown")).to_have_text("2 minutes")
    announcement = dialog.locator(".app-timeout-dialog__announcement")
    expect(announcement).to_have_attribute("aria-live", "polite")
    expect(announcement).to_have_text("You will be signed out in 2 minutes.")
    # Read out again only at a sensible interval, not as the seconds change.
    page.wait_for_timeout(2500)
    expect(announcement).to_have_text("You will be signed out in 2 minutes.")
    assert dialog.locator(".app-timeout-dialog__countdown").get_attribute("aria-live") is None


def test_a_tab_keeps_what_was_typed_while_another_tab_keeps_the_session(
    browser_page: Page,
    live_server: LiveServer,
    referrer: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("pathways.core.middleware.LAST_SEEN_RESOLUTION", 0)
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_TIMEOUT_WARNING = 4
    typing_tab = browser_page
    sign_in(typing_tab, live_server.url, "referrer", check_accessibility=False)
    typing_tab.goto(live_server.url + "/referrals/new/")
    field = typing_tab.get_by_label("First name")
    field.fill("Typed but not sent")
    other_tab = typing_tab.context.new_page()
    # The other tab is in use for 16 seconds: twice the idle limit of the typing tab.
    for _ in range(8):
        other_tab.goto(live_server.url + "/referrals/")
        typing_tab.wait_for_timeout(2000)
    assert "/referrals/new/" in typing_tab.url
    expect(field).to_have_value("Typed but not sent")
    # Once no tab is in use, the session ends and the typing tab goes to sign in.
    typing_tab.wait_for_url("**/accounts/login/**", timeout=20_000)
