"""Every page each role reaches, on the demo data, passes axe-core with no violations."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from pathways.accounts.models import Area, Service, User
from pathways.contacts.models import Contact
from pathways.contracts.models import Payment
from pathways.core.periods import half_year, named_choices
from pathways.core.tests.browser import assert_accessible, sign_in, sign_out
from pathways.demo.accounts import DEMO_PASSWORD
from pathways.employers.models import Employer, Opportunity
from pathways.imports.models import ImportBatch
from pathways.placements.models import Placement
from pathways.placements.opportunities import open_opportunities
from pathways.plans.models import Goal, Instrument, ReadingKind, Step
from pathways.plans.reference import DEFAULT_INSTRUMENT
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus
from pathways.referrals.views import DRAFT_KEY
from pathways.reports.models import BoardReport

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def _pages() -> dict[str, list[str]]:
    def first(status: ReferralStatus) -> Referral:
        referral = Referral.objects.in_status(status).order_by("pk").first()
        assert referral is not None
        return referral

    # The commissioner oversees a second service too: the dashboard offers each and all.
    second, _made = Service.objects.get_or_create(
        slug="second", defaults={"name": "A second service", "capacity": 20}
    )
    User.objects.get(username="commissioner").oversees.add(second)
    received, active = first(ReferralStatus.RECEIVED), first(ReferralStatus.ACTIVE)
    worker = User.objects.get(username="worker-north")
    instrument = Instrument.objects.get(name=DEFAULT_INSTRUMENT)
    board = BoardReport.objects.get()
    own = Referral.objects.active().filter(worker=worker).order_by("pk").first()
    assert own is not None
    # Support records of the worker's own case, and of their cases in general.
    goal = Goal.objects.filter(
        plan__referral=own, achieved_on__isnull=True, withdrawn_on__isnull=True
    ).first()
    step = Step.objects.filter(goal=goal, done_on__isnull=True, dropped_on__isnull=True).first()
    mine = Referral.objects.active().filter(worker=worker)
    awaiting = Contact.objects.awaiting_feedback().filter(referral__in=mine).first()
    booked = (
        Contact.objects.current()
        .filter(referral__in=mine, outcome_recorded_at__isnull=True)
        .exclude(pk__in=Contact.objects.awaiting_feedback().values("pk"))
        .first()
    )
    assert goal and step and awaiting and booked
    # The referrer's started case with a chart, and a person with a concern shared.
    referred = (
        Referral.objects.filter(readings__kind=ReadingKind.REVIEW).order_by("pk").distinct().first()
    )
    concern = (
        Contact.objects.filter(tell_referrer=True, superseded_by__isnull=True)
        .order_by("pk")
        .first()
    )
    assert referred and concern
    referrer = User.objects.get(username="referrer")
    assert referred.referred_by == referrer and concern.referral.referred_by == referrer
    placement = Placement.objects.filter(referral__worker=worker).order_by("pk").first()
    job = Placement.objects.filter(sustainment_checks__isnull=False).order_by("pk").first()
    assert placement is not None and job is not None
    check = job.sustainment_checks.order_by("weeks").first()
    assert check is not None
    payment = Payment.objects.order_by("pk").first()
    assert payment is not None
    employer = Employer.objects.order_by("pk").first()
    opportunity = open_opportunities(Opportunity.objects.all()).order_by("pk").first()
    assert employer is not None and opportunity is not None
    # A named period other than the default, for the outcomes dashboard.
    quarter_key = named_choices(timezone.localdate())[1].key
    # The last closed half-year: its kept figures, and the same counted as at today.
    closed_half = half_year(half_year(timezone.localdate()).start - datetime.timedelta(days=1))
    batch = ImportBatch.objects.order_by("pk").first()
    assert batch is not None
    held = Referral.objects.in_status(ReferralStatus.HELD).get()  # the demo holds one
    return {
        "referrer": [
            "/referrals/",
            "/referrals/new/",
            CHECK_ANSWERS,
            # The question pages, with the answers the tour put in the session.
            "/referrals/new/person/",
            "/referrals/new/contact/",
            "/referrals/new/referral/",
            "/referrals/new/needs/",
            "/referrals/new/consent/",
            "/feedback/",
            "/feedback/thanks/",
            f"/referrals/{received.pk}/amend/",
            "/participants/find/",
            f"/referrals/{referred.pk}/plan/",
            f"/referrals/{referred.pk}/progress/",
            f"/participants/{concern.referral.participant_id}/",
        ],
        "worker-north": [
            "/caseload/",
            "/waiting-list/",
            f"/participants/{own.participant_id}/",
            f"/referrals/{own.pk}/",
            f"/referrals/{own.pk}/end/",
            f"/referrals/{own.pk}/plan/",
            f"/referrals/{own.pk}/plan/goals/new/",
            f"/referrals/{own.pk}/plan/goals/{goal.pk}/close/",
            f"/referrals/{own.pk}/plan/goals/{goal.pk}/steps/new/",
            f"/referrals/{own.pk}/plan/steps/{step.pk}/",
            f"/referrals/{own.pk}/plan/review/",
            f"/referrals/{own.pk}/progress/",
            f"/referrals/{own.pk}/progress/new/",
            f"/referrals/{own.pk}/contacts/",
            f"/referrals/{own.pk}/contacts/record/",
            f"/referrals/{own.pk}/contacts/book/",
            f"/referrals/{own.pk}/onward/new/",
            f"/referrals/{awaiting.referral_id}/contacts/{awaiting.pk}/feedback/",
            f"/referrals/{booked.referral_id}/contacts/{booked.pk}/reschedule/",
            "/to-do/",
            "/placements/",
            f"/placements/{placement.pk}/",
            f"/placements/{placement.pk}/end/",
            f"/placements/people/{own.participant_id}/opportunities/",
            f"/placements/people/{own.participant_id}/work-profile/",
            f"/placements/opportunities/{opportunity.pk}/people/{own.participant_id}/put-forward/",
            "/employers/",
            "/employers/new/",
            f"/employers/{employer.pk}/",
            f"/employers/{employer.pk}/edit/",
            f"/employers/{employer.pk}/contacts/new/",
            f"/employers/{employer.pk}/engagements/new/",
            f"/employers/{employer.pk}/opportunities/new/",
            "/employers/opportunities/",
            f"/employers/opportunities/{opportunity.pk}/",
            f"/employers/opportunities/{opportunity.pk}/edit/",
            f"/employers/opportunities/{opportunity.pk}/close/",
            f"/employers/opportunities/{opportunity.pk}/matches/",
            f"/participants/{own.participant_id}/equality/",
        ],
        "manager": [
            "/more/",
            "/feedback/received/",
            "/notifications/preferences/",
            f"/referrals/{held.pk}/",
            f"/referrals/{held.pk}/possible-duplicate/",
            f"/participants/{active.participant_id}/convictions/new/",
            f"/notifications/people/{active.participant_id}/texts/",
            "/referrals/?status=waiting",
            "/waiting-list/",
            "/service/",
            f"/referrals/{received.pk}/",
            f"/referrals/{received.pk}/accept/",
            f"/referrals/{received.pk}/decline/",
            f"/referrals/{active.pk}/allocate/",
            f"/participants/{active.participant_id}/access-log/",
            f"/participants/{active.participant_id}/",
            f"/participants/{active.participant_id}/subject-access/",
            f"/participants/{active.participant_id}/restrict/",
            f"/placements/{job.pk}/",
            f"/placements/{job.pk}/decision/",
            f"/placements/checks/{check.pk}/",
            "/placements/?status=started",
            "/employers/opportunities/?status=all",
            "/participants/999999/",  # the not-found page
            "/to-do/",
            "/service/distance-travelled/",
            f"/referrals/{active.pk}/plan/",
            f"/referrals/{active.pk}/progress/",
            f"/referrals/{active.pk}/contacts/",
            "/outcomes/",
            f"/outcomes/?period={quarter_key}&trend=attrition",
            f"/outcomes/?period={closed_half.key}",
            f"/outcomes/?period={closed_half.key}&as_at=today",
            "/service/contact-tapering/",
            "/outcomes/measures/starts/",
            "/outcomes/targets/",
            "/summary/",
            "/reports/board/",
            f"/reports/board/commentary/?period={board.period_start:%Y-%m-%d}:{board.period_end:%Y-%m-%d}",
            f"/reports/board/{board.pk}/",
            f"/participants/{own.participant_id}/orders/new/",
            f"/participants/{own.participant_id}/offences/new/",
            f"/participants/{active.participant_id}/equality/",
            "/reports/equality/",
            "/reports/equality/?view=working",
            "/contracts/",
            "/contracts/edit/",
            "/contracts/extensions/new/",
            "/contracts/values/new/",
            "/contracts/co-funders/new/",
            "/contracts/milestones/new/",
            "/contracts/payments/new/",
            f"/contracts/payments/{payment.pk}/",
        ],
        "commissioner": [
            "/summary/",
            "/service/",
            "/service/distance-travelled/",
            "/outcomes/",
            "/outcomes/?service=second",
            "/outcomes/?service=all",
            "/reports/board/",
            f"/reports/board/{board.pk}/",
            "/imports/",
            f"/imports/{batch.pk}/",
            "/imports/conflicts/",
            "/imports/justice-data-lab/",
            "/reports/equality/",
            "/contracts/",
        ],
        "admin": [
            "/security/refusals/",
            "/feedback/received/",
            "/admin/",
            "/admin/accounts/user/",
            "/admin/accounts/user/add/",
            f"/admin/accounts/user/{worker.pk}/change/",
            "/admin/accounts/patch/1/change/",
            "/admin/referrals/endreason/",
            "/admin/plans/instrument/",
            "/admin/plans/instrument/add/",
            f"/admin/plans/instrument/{instrument.pk}/change/",
            "/admin/employers/sector/",
            "/admin/employers/offencecategory/",
            "/admin/placements/placementendreason/",
        ],
    }


# Reached with a referral's answers in the session: the tour puts them there first.
CHECK_ANSWERS = "/referrals/new/check/"


def _answer_a_referral(page: Page, username: str) -> None:
    """Keep a referral's answers in the browser's session, as the form does when answered."""
    user = User.objects.get(username=username)
    area = Area.objects.filter(patch__service=user.service).order_by("pk").first()
    assert area is not None
    cookie = next(
        c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    today = timezone.localdate()
    answers = {
        "first_name": "Robyn",
        "last_name": "Hale",
        "date_of_birth-day": "3",
        "date_of_birth-month": "4",
        "date_of_birth-year": str(today.year - 25),
        "gender": "woman",
        "crn": "X765432",
        "phone": "07700 900123",
        "area": str(area.pk),
        "location": "community",
        "source": "probation",
        "cohort": "iom",
        "order_type": "community_order",
        "reason": "Wants to work.",
        "ete_needs": "No qualifications.",
        "risk_flags": "",
        "consent_given": "on",
        "consent_date-day": str(today.day),
        "consent_date-month": str(today.month),
        "consent_date-year": str(today.year),
    }
    session = SessionStore(session_key=cookie["value"])
    session[DRAFT_KEY] = {name: [value] for name, value in answers.items() if value}
    session.save()


def test_every_page_of_every_role_is_accessible(
    browser_page: Page, live_server: LiveServer, settings: object
) -> None:
    call_command("load_demo", verbosity=0)
    for username, paths in _pages().items():
        sign_in(browser_page, live_server.url, username, DEMO_PASSWORD)
        for path in paths:
            if path == CHECK_ANSWERS:
                _answer_a_referral(browser_page, username)
            browser_page.goto(live_server.url + path)
            if path == CHECK_ANSWERS:
                assert browser_page.title().startswith("Check your answers")
            assert_accessible(browser_page)
        if username == "admin":
            browser_page.context.clear_cookies()
        else:
            sign_out(browser_page)
