"""A worker's placement journey in a real browser: adds an employer and a construction work
placement, finds a person who fits, puts them forward, and records the employer's
decision, the start and completion. Every page visited is checked with axe-core."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import Patch, User
from pathways.core.tests.browser import assert_accessible, sign_in
from pathways.placements.tests.factories import make_profile
from pathways.referrals import services as referral_services
from pathways.referrals.tests.factories import make_active

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def _choose(page: Page, legend: str, option: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(option, exact=True).check()


def _fill_date(page: Page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("alert").filter(has_text="Success")).to_be_visible()
    assert_accessible(page)


def test_worker_places_a_person_with_a_new_employer(
    browser_page: Page,
    live_server: LiveServer,
    north: Patch,
    referrer: User,
    manager: User,
    worker_north: User,
) -> None:
    referral = make_active(referrer, manager, area=north.areas.get(), first_name="Robyn")
    referral_services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    make_profile(worker_north, referral.participant, holds=("cscs-card",))
    name = referral.participant.full_name
    today = timezone.localdate()
    page = browser_page

    sign_in(page, live_server.url, "worker-north")
    # A worker's navigation holds seven items: employers are under "More".
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="More").click()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Employers").click()
    expect(page.get_by_text("No employers have been added yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add an employer").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save employer").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Hanley Groundworks")
    _choose(page, "Type of organisation", "Employer")
    page.get_by_label("Main sector").select_option(label="Construction")
    _choose(page, "Patch", "North")
    _choose(page, "Size", "Small (10 to 49 staff)")
    _choose(page, "Does it already employ people with convictions?", "Yes")
    _submit(page, "Save employer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hanley Groundworks")

    page.get_by_role("link", name="Add an opportunity").click()
    assert_accessible(page)
    _choose(page, "Type of opportunity", "Work placement")
    page.get_by_label("Title").fill("Groundworks work placement")
    page.get_by_label("Places available").fill("2")
    page.get_by_label("Location").fill("Hanley")
    page.get_by_role("group", name="Essential requirements").get_by_label("CSCS card").check()
    _submit(page, "Save opportunity")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Groundworks work placement")

    page.get_by_role("link", name="Find people who fit").click()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Holds: CSCS card")
    row.get_by_role("link", name="Put forward").click()
    assert_accessible(page)
    page.get_by_label("Note (optional)").fill("Has a CSCS card and is keen on groundworks.")
    _submit(page, "Put forward")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Put forward")

    page.get_by_role("link", name="Record the employer's decision").click()
    assert_accessible(page)
    _choose(page, "What did the employer decide?", "Accepted the person")
    _fill_date(page, "Date of the decision", today)
    _submit(page, "Save decision")

    page.get_by_role("link", name="Record the start").click()
    _fill_date(page, "Start date", today)
    _submit(page, "Save start")
    expect(page.get_by_role("heading", level=1)).to_contain_text("In placement")

    page.get_by_role("link", name="Record completion").click()
    _fill_date(page, "Date completed", today)
    _submit(page, "Save completion")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")

    page.get_by_role("link", name=f"Back to {name}'s record").click()
    expect(page.get_by_role("table", name=f"Placements of {name}")).to_contain_text("Completed")
    assert_accessible(page)
