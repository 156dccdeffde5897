"""A referral's journey through a real browser: referred, accepted, allocated, on a caseload.

Every page visited is checked with axe-core. Locators go by role and label, so a control that
is not labelled properly cannot be found.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import Patch, User
from pathways.core.tests.browser import assert_accessible, sign_in, sign_out

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = pytest.mark.browser

FIRST_NAME = "Jordan"
LAST_NAME = "Testperson"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _fill_date(page: Page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _choose(page: Page, legend: str, option: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(option, exact=True).check()


def _open_nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=label).click()


def _continue(page: Page, heading: str) -> None:
    """Send a question page; the next one is ``heading``, checked for accessibility."""
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def _make_referral(page: Page) -> None:
    """Answer the question pages in turn, from the first (about the person)."""
    today = timezone.localdate()
    page.get_by_label("First name", exact=True).fill(FIRST_NAME)
    page.get_by_label("Last name", exact=True).fill(LAST_NAME)
    _fill_date(page, "Date of birth", _years_before(today, 30))
    _choose(page, "Gender", "Man")
    _continue(page, "Contact details")
    page.get_by_label("Local authority area where the person lives").select_option(
        label="Stoke-on-Trent"
    )
    _choose(page, "Where is the person now?", "In the community")
    _continue(page, "The referral")
    _choose(page, "Who is referring?", "Probation")
    page.get_by_label("CRN").fill("X123456")
    _choose(page, "Which group is the person in?", "Integrated Offender Management (IOM) cohort")
    page.get_by_label("Order or licence type").select_option(label="Community order")
    _continue(page, "Needs and risks")
    page.get_by_label("Reason for referral").fill("Wants help finding warehouse work.")
    page.get_by_label("Education, training and employment needs").fill(
        "Forklift licence lapsed; no CV."
    )
    _continue(page, "Consent")
    # The back link goes to the page before, with its answers kept.
    page.get_by_role("link", name="Back", exact=True).click()
    expect(page.get_by_label("Reason for referral")).to_have_value(
        "Wants help finding warehouse work."
    )
    _continue(page, "Consent")
    page.get_by_label("The person has agreed to be referred to this service").check()
    _fill_date(page, "Date consent was given", today)


def test_referral_journey_from_referrer_to_support_worker(
    browser_page: Page,
    live_server: LiveServer,
    north: Patch,
    referrer: User,
    manager: User,
    worker_north: User,
) -> None:
    page = browser_page
    url = live_server.url

    # (a) The referrer makes a referral, first getting the error summary for an empty form.
    sign_in(page, url, referrer.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    assert_accessible(page)

    _open_nav(page, "Make a referral")
    expect(page.get_by_role("heading", level=1)).to_have_text("About the person")
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: About the person: make a referral"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    first_error = summary.get_by_role("link").first
    expect(first_error).to_have_text("Enter first name")
    expect(first_error).to_have_attribute("href", "#id_first_name")
    assert_accessible(page)
    first_error.click()
    expect(page.get_by_label("First name", exact=True)).to_be_focused()

    _make_referral(page)
    page.get_by_role("button", name="Continue").click()
    # Nothing is sent until the referrer has checked every answer.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending the referral"
    )
    expect(page.get_by_text("Forklift licence lapsed; no CV.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change first name").click()
    expect(page.get_by_label("First name", exact=True)).to_have_value(FIRST_NAME)
    # A change goes straight back to the answers.
    _continue(page, "Check your answers before sending the referral")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(FULL_NAME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Awaiting decision")
    expect(page.get_by_role("alert").filter(has_text="Referral sent")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # (b) The manager accepts the referral and allocates a North support worker.
    sign_in(page, url, manager.username, check_accessibility=False)
    _open_nav(page, "Referrals")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    assert_accessible(page)

    page.get_by_role("link", name=FULL_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Awaiting decision")
    assert_accessible(page)

    page.get_by_role("link", name="Accept", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the referral")
    assert_accessible(page)
    page.get_by_label("I have checked the person is eligible").check()
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Receiving support")
    expect(page.get_by_role("alert").filter(has_text="Referral accepted")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Allocate a support worker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate a support worker")
    assert_accessible(page)
    _choose(page, "Support worker", worker_north.get_full_name())
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_role("alert").filter(has_text="Support worker allocated")).to_be_visible()
    expect(page.get_by_text(worker_north.get_full_name())).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # (c) The North support worker finds the person on their caseload, with the timeline.
    sign_in(page, url, worker_north.username, check_accessibility=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    caseload = page.get_by_role("table")
    expect(caseload.get_by_role("link", name=FULL_NAME)).to_be_visible()
    assert_accessible(page)

    caseload.get_by_role("link", name=FULL_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(FULL_NAME)
    expect(page.get_by_role("heading", name="Pathway plan", level=2)).to_be_visible()
    page.get_by_role("link", name=f"View {FULL_NAME}'s record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    timeline = page.locator(".app-timeline")
    expect(timeline.get_by_role("heading", name="Referral received")).to_be_visible()
    expect(timeline.get_by_role("heading", name="Referral accepted")).to_be_visible()
    expect(
        timeline.get_by_role("heading", name=f"Allocated to {worker_north.get_full_name()}")
    ).to_be_visible()
    assert_accessible(page)
    sign_out(page)
