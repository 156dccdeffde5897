"""Tapering: contacts per person per month, by months since the start of support and since
a job start, counted by hand."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.contacts.selectors import TAPERING_MONTHS, tapering
from pathways.contacts.tests.factories import past_contact
from pathways.employers.models import OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.placements.models import Placement
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
D = datetime.date


def at(y: int, m: int, d: int, h: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=LONDON)


@pytest.fixture
def people(referrer: User, manager: User, worker_north: User, north: Patch) -> dict[str, Referral]:
    """As at 31 March 2025:
    Amy  started 15 Jan 2025, still supported: 2 whole months (15 Jan-14 Feb, 15 Feb-14 Mar)
         contacts 15 Jan, 20 Jan, 14 Feb (month 1: 3), 15 Feb (month 2: 1), 20 Mar (month 3,
         not whole: not counted); a job from 1 Feb: 2 whole months since (February, March),
         contacts 14 Feb and 15 Feb in it (2), then 20 Mar in March; a contact that did
         not take place (ignored)
    Ben  started 20 Jan 2025, ended 10 Mar 2025: 1 whole month (20 Jan-19 Feb)
         contacts 20 Jan, 19 Feb (month 1: 2), 20 Feb (month 2, not whole: not counted)
    Cat  started 1 April 2025 (after the as-at day): not counted
    """
    refs = {name: make_referral(referrer, first_name=name) for name in ("Amy", "Ben", "Cat")}
    dates = {
        "Amy": {"started_at": at(2025, 1, 15)},
        "Ben": {"started_at": at(2025, 1, 20), "ended_at": at(2025, 3, 10)},
        "Cat": {"started_at": at(2025, 4, 1)},
    }
    for name, values in dates.items():
        Referral.objects.filter(pk=refs[name].pk).update(accepted_at=values["started_at"], **values)
        refs[name].refresh_from_db()
    for when in (
        at(2025, 1, 15),
        at(2025, 1, 20),
        at(2025, 2, 14),
        at(2025, 2, 15),
        at(2025, 3, 20),
    ):
        past_contact(refs["Amy"], when, manager)
    past_contact(refs["Amy"], at(2025, 1, 22), manager, happened=False)
    for when in (at(2025, 1, 20), at(2025, 2, 19), at(2025, 2, 20)):
        past_contact(refs["Ben"], when, manager)
    past_contact(refs["Cat"], at(2025, 4, 2), manager)
    employer = make_employer(worker_north, patch=north)
    job = make_opportunity(worker_north, employer, kind=OpportunityKind.JOB)
    Placement.objects.create(
        referral=refs["Amy"],
        participant=refs["Amy"].participant,
        opportunity=job,
        put_forward_by=worker_north,
        accepted_on=D(2025, 2, 1),
        started_on=D(2025, 2, 1),
    )
    return refs


def test_contacts_per_person_by_month_since_the_start_of_support(people, service) -> None:
    figures = tapering(service, D(2025, 3, 31))
    rows = figures.since_start
    assert len(rows) == TAPERING_MONTHS
    assert [(r.month, r.people, r.contacts) for r in rows[:3]] == [(1, 2, 5), (2, 1, 1), (3, 0, 0)]
    assert rows[0].per_person == 2.5
    assert rows[2].per_person is None


def test_contacts_per_person_by_month_since_a_job_start(people, service) -> None:
    rows = tapering(service, D(2025, 3, 31)).since_job
    # Amy's job from 1 February: February whole (14 and 15 February), and March whole by
    # the end of 31 March (20 March).
    assert [(r.month, r.people, r.contacts) for r in rows[:3]] == [(1, 1, 2), (2, 1, 1), (3, 0, 0)]


def test_as_at_an_earlier_day(people, service) -> None:
    # As at 14 February 2025 nobody had a whole month (Amy's first ends that day).
    rows = tapering(service, D(2025, 2, 13)).since_start
    assert rows[0].people == 0 and rows[0].contacts == 0
    assert tapering(service, D(2025, 2, 14)).since_start[0].people == 1


def test_the_page_is_the_managers(
    people, manager: User, commissioner: User, client: Client
) -> None:
    client.force_login(manager)
    page = client.get("/service/contact-tapering/?as_at-day=31&as_at-month=3&as_at-year=2025")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "Contacts per person" in body
    assert "as at 31 March 2025." in body
    client.force_login(commissioner)
    assert client.get("/service/contact-tapering/").status_code == 404
