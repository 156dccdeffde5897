"""What messages say: nothing personal in staff emails (every template walked with a canary
person), texts only about the appointment, and the doc lists every template."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from pathways.accounts.models import User
from pathways.accounts.tests.factories import UserFactory
from pathways.contacts import services as contacts
from pathways.contacts.models import Contact, Mode
from pathways.core.audit import AuditKind, audit
from pathways.core.roles import Role
from pathways.notifications import services
from pathways.notifications.models import Channel
from pathways.notifications.scheduled import appointment_reminders, digests
from pathways.notifications.templates import TEMPLATES, render
from pathways.notifications.tests.conftest import sent_as
from pathways.notifications.tests.fake_notify import FakeNotify
from pathways.notifications.tests.helpers import book, committed, concern, consenting
from pathways.referrals import services as referrals
from pathways.referrals.models import DeclineReason, EndReason, Referral
from pathways.referrals.tests.factories import NOW, STARTED, make_referral
from pathways.reports.models import BoardReport

pytestmark = pytest.mark.django_db

CANARY: dict[str, Any] = {
    "first_name": "Zebedee",
    "last_name": "Canaryfield",
    "date_of_birth": datetime.date(1991, 2, 3),
}
SECRETS = [
    "Zebedee",
    "Canaryfield",
    "1991-02-03",
    "3 February 1991",
    "03/02/1991",
    "X99199",
    "/00123",
    "CANARY-OFFENCE",
    "CANARY-NOTE",
    "CANARY-DECLINE",
    "CANARY-SUMMARY",
]
# A text never says what the service is for (a shared phone is a risk).
NEVER_IN_TEXTS = ["probation", "offence", "offender", "prison", "conviction", "pathways"]


_serial = iter(range(1, 10))


def _canary(referrer: User) -> Referral:
    n = next(_serial)
    referral = make_referral(referrer, **CANARY, crn=f"X99199{n}", pnc_id=f"2001/001234{n}C")
    Referral.objects.filter(pk=referral.pk).update(risk_information="CANARY-OFFENCE")
    referral.refresh_from_db()
    return referral


def test_no_template_carries_anything_personal(
    notify: FakeNotify,
    emails: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = django_capture_on_commit_callbacks
    referrer, manager, worker = emails["referrer"], emails["manager"], emails["worker_north"]
    digest_manager: User = UserFactory(  # type: ignore[assignment]
        role=Role.MANAGER, service=referrer.service, email="digest@example.gov.uk"
    )
    services.preferences_set(user=digest_manager, turned_off={"referral_awaiting_decision"})
    end = EndReason.objects.filter(needs_note=False).first()
    decline = DeclineReason.objects.filter(needs_note=False).first()
    assert end is not None and decline is not None
    with time_machine.travel(STARTED, tick=False) as clock:
        first = committed(run, lambda: _canary(referrer))
        committed(
            run,
            lambda: audit(
                actor=referrer,
                kind=AuditKind.CHANGE,
                action="referral.held_as_duplicate",
                obj=first,
                subject_id=first.participant_id,
            ),
        )
        committed(run, lambda: referrals.referral_accept(actor=manager, referral=first))
        committed(
            run, lambda: referrals.referral_allocate(actor=manager, referral=first, worker=worker)
        )
        clock.move_to(NOW)
        consenting(first.participant, worker)
        contact = book(first, worker, 28)
        committed(
            run,
            lambda: contacts.contact_reschedule(
                actor=worker,
                contact=contact,
                starts_at=contact.starts_at + datetime.timedelta(hours=1),
                reason="CANARY-NOTE",
            ),
        )
        with run(execute=True):
            appointment_reminders()
        committed(run, lambda: concern(first, worker, notes="CANARY-NOTE"))
        Contact.objects.create(
            referral=first,
            starts_at=NOW - datetime.timedelta(days=1),
            mode=Mode.FACE_TO_FACE,
            duration_minutes=30,
            booked_by=worker,
            created_at=NOW - datetime.timedelta(days=2),
            notes="CANARY-NOTE",
        )
        second = committed(run, lambda: _canary(referrer))
        with run(execute=True):
            digests()
        committed(
            run,
            lambda: referrals.referral_decline(
                actor=manager, referral=second, reason=decline, note="CANARY-DECLINE"
            ),
        )
        service = first.service
        service.capacity = 1
        service.save(update_fields=["capacity"])
        report = BoardReport.objects.create(
            service=first.service,
            period_start=datetime.date(2026, 4, 1),
            period_end=datetime.date(2026, 9, 30),
            requested_by=manager,
            requested_at=NOW,
        )
        committed(
            run,
            lambda: audit(
                actor=None,
                kind=AuditKind.CHANGE,
                action="report.ready",
                obj=report,
                subject_id=None,
                detail={"service_id": report.service_id, "period": "April to September 2026"},
            ),
        )
        third = committed(run, lambda: _canary(referrer))
        committed(run, lambda: referrals.referral_accept(actor=manager, referral=third))
        committed(
            run,
            lambda: referrals.referral_end(
                actor=manager, referral=first, reason=end, closing_summary="CANARY-SUMMARY"
            ),
        )
    sent = sent_as(notify)
    # Every template was walked.
    assert {key for key, _, _ in sent} == set(TEMPLATES)
    for key, _, personalisation in sent:
        template = TEMPLATES[key]
        subject, body = render(template, personalisation)
        everything = json.dumps(personalisation) + subject + body
        for secret in SECRETS:
            assert secret not in everything, f"{key} carries {secret}"
        if template.channel == Channel.SMS:
            assert body.startswith(("Reminder: your appointment with", "Your appointment has"))
            for word in [*NEVER_IN_TEXTS, service.name.lower()]:
                assert word not in body.lower(), f"{key} says {word}"


def test_the_doc_lists_every_template_with_its_text_and_personalisation() -> None:
    doc = (Path(settings.BASE_DIR) / "docs" / "notifications.md").read_text()
    listed = [line[5:-1] for line in doc.splitlines() if line.startswith("### `")]
    assert listed == list(TEMPLATES)
    for template in TEMPLATES.values():
        section = doc.split(f"### `{template.key}`")[1].split("\n### ")[0]
        assert template.body in section
        if template.subject:
            assert f"Subject: `{template.subject}`" in section
        fields = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
        assert fields == template.fields


def test_consent_is_recorded_with_dates_and_withdrawn_once(
    emails: dict[str, User], case: Referral
) -> None:
    worker = emails["worker_north"]
    person = case.participant
    today = timezone.localdate()
    with pytest.raises(Exception, match="future"):
        services.text_consent_give(
            actor=worker, participant=person, given_on=today + datetime.timedelta(days=1)
        )
    with pytest.raises(Exception, match="not consented"):
        services.text_consent_withdraw(actor=worker, participant=person, withdrawn_on=today)
    consent = services.text_consent_give(actor=worker, participant=person, given_on=today)
    with pytest.raises(Exception, match="already recorded"):
        services.text_consent_give(actor=worker, participant=person, given_on=today)
    withdrawn = services.text_consent_withdraw(actor=worker, participant=person, withdrawn_on=today)
    assert withdrawn.pk == consent.pk
    assert (withdrawn.given_on, withdrawn.withdrawn_on) == (today, today)
    assert withdrawn.withdrawn_recorded_by == worker


def test_a_persons_texts_and_consent_go_with_them_at_the_purge(
    emails: dict[str, User], case: Referral
) -> None:
    from pathways.data_protection.retention import participant_purge
    from pathways.notifications.events import Draft, record
    from pathways.notifications.models import Message, TextConsent

    person = case.participant
    consenting(person, emails["worker_north"])
    record(
        [
            Draft(
                "appointment_reminder",
                {"worker": "Sam", "time": "2pm", "place": "by phone"},
                participant_id=person.pk,
            )
        ],
        what="c1",
    )
    staff = record(
        [Draft("person_allocated", {"reference": "PW1", "link": "x"}, user=emails["worker_north"])],
        what="e1",
    )
    end = EndReason.objects.filter(needs_note=False).first()
    assert end is not None
    referrals.referral_end(
        actor=emails["manager"], referral=case, reason=end, closing_summary="Done."
    )
    participant_purge(participant_id=person.pk)
    assert not TextConsent.objects.exists()
    assert list(Message.objects.values_list("pk", flat=True)) == staff
