"""The work queue's pages on the demo data pass axe-core: the manager's home (the work
queue), a worker's To do and caseload (with its flags), the waiting list (days waiting) and
a waiting person's "Remove from the waiting list" page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from pathways.core.tests.browser import assert_accessible, sign_in, sign_out
from pathways.demo.accounts import DEMO_PASSWORD
from pathways.referrals.models import Referral

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_the_work_queue_pages_are_accessible(browser_page: Page, live_server: LiveServer) -> None:
    call_command("load_demo", verbosity=0)
    waiting = Referral.objects.waiting().order_by("pk").first()
    pages = {
        "manager": ["/", "/to-do/", "/waiting-list/"],
        "worker-north": ["/to-do/", "/caseload/", "/waiting-list/"],
    }
    if waiting is not None:
        pages["manager"].append(f"/referrals/{waiting.pk}/end/")
    for username, paths in pages.items():
        sign_in(browser_page, live_server.url, username, DEMO_PASSWORD)
        for path in paths:
            browser_page.goto(live_server.url + path)
            assert_accessible(browser_page)
        sign_out(browser_page)
