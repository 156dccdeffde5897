"""The demo is believable: appointments on weekdays in working hours (UK time), spread over
the days, times and ways of meeting; stories that agree (an order ended by a new offence has
that offence, proven the day it ended; a person returned to custody was on temporary
licence); the half-year's commentary says of each measure the status the report gives it;
and times are shown in UK time."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.contacts.models import Contact
from pathways.core.models import AuditEvent
from pathways.core.periods import half_year
from pathways.demo.clock import WORKDAY_END, WORKDAY_START
from pathways.outcomes.models import Order, ProvenBy, ProvenOffence, Termination
from pathways.outcomes.selectors import Status, measures_for_period
from pathways.referrals.models import Cohort, Referral
from pathways.reports.models import BoardReport, Commentary

pytestmark = pytest.mark.django_db

SENTENCES = {
    Status.GREEN: "On target: ",
    Status.AMBER: "Near target: ",
    Status.RED: "Below target: ",
}


def test_the_demo_tells_one_believable_story(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())

    # Appointments: weekdays, within working hours in UK time, of every kind, spread out.
    contacts = list(Contact.objects.all())
    assert len(contacts) > 100
    for contact in contacts:
        local = timezone.localtime(contact.starts_at)
        ends = local + datetime.timedelta(minutes=contact.duration_minutes)
        assert local.weekday() < 5, local
        assert local.time() >= WORKDAY_START and ends.time() <= WORKDAY_END, local
    assert {contact.mode for contact in contacts} == {"face_to_face", "phone", "video"}
    assert len({timezone.localtime(c.starts_at).time() for c in contacts}) >= 6
    assert {timezone.localtime(c.starts_at).weekday() for c in contacts} == set(range(5))
    assert len({c.location for c in contacts if c.mode == "face_to_face"}) >= 3
    awaiting = Contact.objects.awaiting_feedback()
    assert len({timezone.localdate(c.starts_at) for c in awaiting}) >= 3  # not all one day
    # The manager decides in working hours too.
    for decided in Referral.objects.exclude(accepted_at=None).values_list("accepted_at", flat=True):
        local = timezone.localtime(decided)
        assert local.weekday() < 5 and WORKDAY_START <= local.time() <= WORKDAY_END, local

    # An order ended by a new offence has that offence, proven the day it ended, and a
    # conviction during an order ends it.
    ended_by_offence = Order.objects.filter(termination=Termination.NEW_OFFENCE)
    assert ended_by_offence.exists()
    for order in ended_by_offence:
        assert order.actual_end_date is not None
        assert ProvenOffence.objects.filter(
            participant=order.participant,
            committed_on__gte=order.start_date,
            proven_on=order.actual_end_date,
            proven_by=ProvenBy.CONVICTION,
        ).exists(), order
    for offence in ProvenOffence.objects.filter(proven_by=ProvenBy.CONVICTION):
        during = Order.objects.filter(
            participant=offence.participant,
            start_date__lte=offence.committed_on,
            source=offence.source,
        )
        assert during.filter(termination=Termination.NEW_OFFENCE).exists(), offence
    # Whoever went back to custody was on release on temporary licence.
    for referral in Referral.objects.filter(end_reason__code="custody"):
        assert referral.cohort == Cohort.ROTL

    # The commentary says of each measure the status the report gives it.
    service = Service.objects.get(slug="staffordshire")
    commentary = Commentary.objects.get(service=service)
    period = half_year(commentary.period_start)
    lines = commentary.text.splitlines()
    said = 0
    for result in measures_for_period(service, period, as_of=period.end):
        name = result.measure.name[0].lower() + result.measure.name[1:]
        for status, opening in SENTENCES.items():
            line = next((line for line in lines if line.startswith(opening)), "")
            assert (f"{name} (" in line) == (result.status == status), (name, status)
            said += result.status == status
    assert said >= 5
    report = BoardReport.objects.get(service=service)
    shown = next(s for s in report.figures["sections"] if s["key"] == "commentary")
    assert shown["paragraphs"] == lines


def test_times_are_shown_in_uk_time() -> None:
    summer = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
    event = AuditEvent(at=summer, action="x.y", object_type="t", object_id="1")
    assert str(event).startswith("2026-07-01 10:30 ")  # British Summer Time
