"""The support journey through a real browser: from the caseload to the end of support.

A North support worker opens a person on their caseload, agrees a goal and its steps,
records a contact and two distance-travelled readings, sees the distance travelled as a
chart and a table, then ends support with a closing summary. Every page, error states
included, is checked with axe-core. Locators go by role and label.

Support started ten days before today (the clock is moved only to set the case up), so
every date the worker types is in the past or today whatever the hour the test runs.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import Patch, User
from pathways.contacts.models import Contact
from pathways.core.tests.browser import assert_accessible, sign_in, sign_out
from pathways.plans.models import Goal, Reading, ReadingKind, StepStatus
from pathways.referrals import services as referrals
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus
from pathways.referrals.tests.factories import make_active

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

FIRST_NAME = "Jordan"
LAST_NAME = "Testperson"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"
GOAL = "Get my CSCS card"
ONWARD = "Stoke Housing Solutions"
STEPS = ["Book the health and safety course", "Pass the CITB test"]
AREAS = [
    "Job-search skills",
    "Workplace skills",
    "Basic skills (English, maths, digital)",
    "Stability (housing and money)",
    "Confidence and motivation",
    "Health and well-being",
]
INTAKE = [3, 2, 4, 3, 2, 5]
REVIEW = [5, 4, 4, 6, 5, 5]  # higher or the same in every area
DAYS_OF_SUPPORT = 10


@pytest.fixture
def support_case(referrer: User, manager: User, worker_north: User, north: Patch) -> Referral:
    started = timezone.localtime() - datetime.timedelta(days=DAYS_OF_SUPPORT)
    with time_machine.travel(started, tick=False):
        referral = make_active(
            referrer, manager, area=north.areas.get(), first_name=FIRST_NAME, last_name=LAST_NAME
        )
        referrals.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    referral.refresh_from_db()
    return referral


def _fill_date(page: Page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _choose(page: Page, legend: str, option: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(option, exact=True).check()


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _done(page: Page, message: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()


def _tab(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Support records").get_by_role("link", name=label).click()


def _record_reading(page: Page, day: datetime.date, scores: list[int]) -> None:
    _fill_date(page, "Date of the reading", day)
    for area, score in zip(AREAS, scores, strict=True):
        page.get_by_label(area, exact=True).fill(str(score))


def test_support_journey_from_caseload_to_end_of_support(
    browser_page: Page, live_server: LiveServer, worker_north: User, support_case: Referral
) -> None:
    page = browser_page
    url = live_server.url
    today = timezone.localdate()
    started = timezone.localdate(support_case.started_at)

    # The worker finds the person on their caseload; the name opens the pathway plan.
    sign_in(page, url, worker_north.username)
    _heading(page, "My caseload")
    assert_accessible(page)
    page.get_by_role("table").get_by_role("link", name=FULL_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(FULL_NAME)
    expect(page.get_by_role("heading", name="Pathway plan", level=2)).to_be_visible()
    expect(page.get_by_text("No goals yet.")).to_be_visible()
    assert_accessible(page)

    # A goal: first the error summary for an empty form.
    page.get_by_role("link", name="Add a goal").click()
    _heading(page, "Add a goal")
    assert_accessible(page)
    page.get_by_role("button", name="Add goal").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a goal"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(3)
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Goal", exact=True)).to_be_focused()

    page.get_by_label("Goal", exact=True).fill(GOAL)
    _choose(page, "What kind of goal is it?", "Qualifications")
    _fill_date(page, "Target date", today + datetime.timedelta(days=60))
    page.get_by_role("button", name="Add goal").click()
    _done(page, "Goal added")
    expect(page.get_by_role("heading", name=re.compile(GOAL), level=4)).to_be_visible()
    expect(page.get_by_text("No steps yet.")).to_be_visible()
    assert_accessible(page)

    # Two steps, then the first one under way.
    for step in STEPS:
        page.get_by_role("link", name=f"Add a step to {GOAL}").click()
        _heading(page, "Add a step")
        assert_accessible(page)
        page.get_by_label("Step", exact=True).fill(step)
        page.get_by_role("button", name="Add step").click()
        _done(page, "Step added")
    steps = page.get_by_role("table", name=f"Steps towards {GOAL}")
    expect(steps.get_by_role("row")).to_have_count(3)
    expect(steps.get_by_role("row").nth(1)).to_contain_text(f"1. {STEPS[0]}")
    expect(steps.get_by_role("row").nth(2)).to_contain_text(f"2. {STEPS[1]}")
    assert_accessible(page)

    steps.get_by_role("link", name="Update step 1").click()
    _heading(page, "Update a step")
    assert_accessible(page)
    _choose(page, "What is the step's status now?", "In progress")
    page.get_by_role("button", name="Save").click()
    _done(page, "Step updated")
    steps = page.get_by_role("table", name=f"Steps towards {GOAL}")
    expect(steps.get_by_role("row").nth(1)).to_contain_text("In progress")
    expect(steps.get_by_role("row").nth(2)).to_contain_text("Not started")
    assert_accessible(page)

    # A contact that took place yesterday.
    _tab(page, "Contacts and wrap-around support")
    expect(page.get_by_role("heading", name="Contacts and appointments")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record a contact").click()
    _heading(page, "Record a contact")
    assert_accessible(page)
    yesterday = today - datetime.timedelta(days=1)
    _fill_date(page, "Date", yesterday)
    page.get_by_label("Time", exact=True).fill("10:30")
    _choose(page, "How is it held?", "Face to face")
    page.get_by_label("How long, in minutes").fill("45")
    _choose(page, "Did the session take place?", "Yes")
    _choose(page, "Did the person attend?", "Yes, on time")
    page.get_by_label("Notes").fill("Talked through the CSCS test; booked the course.")
    page.get_by_role("button", name="Save contact").click()
    _done(page, "Contact recorded")
    contacts = page.get_by_role("table", name="Contacts and appointments, newest first")
    expect(contacts).to_contain_text(f"{yesterday:%-d %b %Y}, 10:30")
    expect(contacts).to_contain_text("Took place")
    expect(contacts).to_contain_text("Talked through the CSCS test")
    assert_accessible(page)

    # Wrap-around support: a referral on, and what came of it.
    page.get_by_role("link", name="Refer on to another service").click()
    _heading(page, "Refer on for wrap-around support")
    assert_accessible(page)
    _choose(page, "What kind of support?", "Housing")
    page.get_by_label("Referred to").fill(ONWARD)
    page.get_by_role("button", name="Save referral").click()
    _done(page, "Referral on recorded")
    onward = page.get_by_role("table", name="Referrals on to other services")
    expect(onward).to_contain_text("Waiting to hear")
    onward.get_by_role("link", name=f"record the outcome of the referral to {ONWARD}").click()
    _heading(page, "Record the outcome of a referral on")
    assert_accessible(page)
    _choose(page, "What came of it?", "Accepted: the person is getting support")
    page.get_by_role("button", name="Save outcome").click()
    _done(page, "Outcome recorded")
    onward = page.get_by_role("table", name="Referrals on to other services")
    expect(onward).to_contain_text("Accepted: the person is getting support")
    assert_accessible(page)

    # The intake reading, then a review reading with higher scores.
    _tab(page, "Distance travelled")
    expect(page.get_by_text("No readings yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record the intake reading").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a reading")
    expect(
        page.get_by_role("group", name="Which reading is this?").get_by_label("Intake")
    ).to_be_checked()
    assert_accessible(page)
    _record_reading(page, started + datetime.timedelta(days=1), INTAKE)
    page.get_by_role("button", name="Save reading").click()
    _done(page, "Reading recorded")
    expect(page.locator("svg[role=img]")).to_have_count(0)  # nothing to compare yet
    assert_accessible(page)

    page.get_by_role("link", name="Record a reading").click()
    assert_accessible(page)
    _choose(page, "Which reading is this?", "Review")
    _record_reading(page, today, REVIEW)
    page.get_by_role("button", name="Save reading").click()
    _done(page, "Reading recorded")

    chart = page.locator("svg[role=img]")
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("aria-label", re.compile(r"^Bar chart of first against latest"))
    table = page.get_by_role("table", name=re.compile(r"first reading .* against latest"))
    for area, first, latest in zip(AREAS, INTAKE, REVIEW, strict=True):
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=area, exact=True)
        )
        cells = row.get_by_role("cell")
        expect(cells.nth(0)).to_contain_text(str(first))
        expect(cells.nth(1)).to_contain_text(str(latest))
        change = latest - first
        expect(cells.nth(2)).to_have_text(f"+{change}" if change > 0 else str(change))
    readings = page.get_by_role("table", name="Every reading taken")
    expect(readings.get_by_role("row")).to_have_count(3)
    assert_accessible(page)

    # Ending support: the page warns that no exit reading was taken, and needs a summary.
    page.get_by_role("link", name="the referral").click()
    page.get_by_role("link", name="End support").click()
    _heading(page, "End support")
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("No exit reading has been taken.")
    expect(warning.get_by_role("link", name="Take the exit reading")).to_have_attribute(
        "href", f"/referrals/{support_case.pk}/progress/new/?kind=exit"
    )
    assert_accessible(page)
    page.get_by_label("Why is support ending?").select_option(label="Into sustained work")
    page.get_by_role("button", name="End support").click()
    expect(page).to_have_title(re.compile(r"^Error: End support"))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Closing summary").fill(
        "Working towards the CSCS card; a labouring job with a local builder starts Monday."
    )
    page.get_by_role("button", name="End support").click()
    _done(page, "Support ended")
    assert_accessible(page)

    # Afterwards the plan is kept, and nothing more is offered to record.
    page.get_by_role("link", name="pathway plan and support records").click()
    expect(page.get_by_role("heading", name=re.compile(GOAL), level=4)).to_be_visible()
    expect(page.get_by_role("link", name="Add a goal")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    # What the pages did, in the database.
    support_case.refresh_from_db()
    assert support_case.status == ReferralStatus.ENDED
    assert support_case.closing_summary.startswith("Working towards the CSCS card")
    goal = Goal.objects.get(plan__referral=support_case)
    assert goal.title == GOAL
    assert [(s.description, s.status) for s in goal.steps.all()] == [
        (STEPS[0], StepStatus.IN_PROGRESS),
        (STEPS[1], StepStatus.NOT_STARTED),
    ]
    contact = Contact.objects.get(referral=support_case)
    assert timezone.localtime(contact.starts_at).replace(tzinfo=None) == datetime.datetime.combine(
        yesterday, datetime.time(10, 30)
    )
    assert contact.happened is True and contact.duration_minutes == 45
    assert [(r.kind, r.taken_on) for r in Reading.objects.filter(referral=support_case)] == [
        (ReadingKind.INTAKE, started + datetime.timedelta(days=1)),
        (ReadingKind.REVIEW, today),
    ]
