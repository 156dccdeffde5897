"""The session timeout warning in a real browser: it appears before the server ends an idle
session, passes axe-core, and "Stay signed in" keeps the user signed in; left alone, the
page goes to the sign-in page with a message. Scripts and styles run under the CSP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD
from pathways.core.tests.browser import assert_accessible, sign_in

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = pytest.mark.browser


def test_the_timeout_warning_lets_the_user_stay_signed_in(
    browser_page: Page, live_server: LiveServer, referrer: User, settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 125
    settings.SESSION_TIMEOUT_WARNING = 123  # the warning shows two seconds after a page loads
    page = browser_page
    sign_in(page, live_server.url, "referrer")
    dialog = page.get_by_role("dialog", name=re.compile("about to be signed out"))
    expect(dialog).to_be_visible(timeout=5000)
    expect(dialog).to_contain_text(re.compile(r"sign you out in \d+ (minutes|seconds)"))
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_text("Signed in as")).to_be_attached()


def test_left_alone_the_page_goes_to_sign_in(
    browser_page: Page, live_server: LiveServer, referrer: User, settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 3
    settings.SESSION_TIMEOUT_WARNING = 2
    page = browser_page
    sign_in(page, live_server.url, "referrer")
    page.wait_for_url("**/accounts/login/**", timeout=10_000)
    expect(
        page.get_by_text("You were signed out because you had not done anything for 3 seconds.")
    ).to_be_visible()
    assert_accessible(page)


def test_enrolling_an_authenticator_app(
    browser_page: Page, live_server: LiveServer, manager: User, settings: Any
) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MFA_REQUIRED = True
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=manager)
    device.throttle_reset()  # a wrong code makes the next try wait a second
    page.get_by_role("textbox", name="Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=2, name="Save your recovery codes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_text("Signed in as")).to_be_attached()
    assert_accessible(page)


def test_signing_in_with_a_recovery_code(
    browser_page: Page, live_server: LiveServer, manager: User, settings: Any
) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MFA_REQUIRED = True
    TOTPDevice.objects.create(user=manager, name="Authenticator app", confirmed=True)
    codes = StaticDevice.objects.create(user=manager, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=codes, token="abcd2345")
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_text("I do not have my phone").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Code").fill("abcd2345")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Signed in as")).to_be_attached()
    assert_accessible(page)
