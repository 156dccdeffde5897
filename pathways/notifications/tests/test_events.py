"""Every event sends the right template with the right personalisation, through a fake
Notify that checks the client's signed token."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from pathways.accounts.models import User
from pathways.contacts import services as contacts
from pathways.core.audit import AuditKind, audit
from pathways.core.models import AuditEvent
from pathways.notifications.models import Message, MessageStatus
from pathways.notifications.tests.conftest import sent_as
from pathways.notifications.tests.fake_notify import FakeNotify
from pathways.notifications.tests.helpers import book, committed, concern, consenting
from pathways.referrals import services as referrals
from pathways.referrals.models import DeclineReason, EndReason, Referral
from pathways.referrals.tests.factories import NOW, make_referral

pytestmark = pytest.mark.django_db
BASE = "https://pathways.example"


def about(referral: Referral) -> dict[str, Any]:
    return {"reference": f"PW{referral.pk:06d}", "link": f"{BASE}/referrals/{referral.pk}/"}


def _event_id(referral: Referral) -> int:
    return AuditEvent.objects.get(action="referral.created", object_id=str(referral.pk)).pk


def test_a_new_referral_tells_the_referrer_and_the_managers(
    notify: FakeNotify, emails: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    referral = committed(
        django_capture_on_commit_callbacks, lambda: make_referral(emails["referrer"])
    )
    assert sorted(sent_as(notify)) == sorted(
        [
            ("referral_received", "referrer@example.gov.uk", about(referral)),
            # The manager of this service only (the outsider manages another).
            ("referral_awaiting_decision", "manager@example.gov.uk", about(referral)),
        ]
    )
    # The Notify reference is the message's own: the event, the template, the recipient.
    assert (
        {n["reference"] for n in notify.sent}
        == set(Message.objects.values_list("reference", flat=True))
        == {
            f"referral_received-e{_event_id(referral)}-u{emails['referrer'].pk}",
            f"referral_awaiting_decision-e{_event_id(referral)}-u{emails['manager'].pk}",
        }
    )
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 2


def test_decisions_allocation_and_end_tell_the_referrer_and_the_worker(
    notify: FakeNotify,
    emails: dict[str, User],
    case: Referral,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = django_capture_on_commit_callbacks
    referrer, manager, worker = emails["referrer"], emails["manager"], emails["worker_north"]
    # Accepted with a place, then allocated.
    new = committed(run, lambda: make_referral(referrer))
    notify.sent.clear()
    committed(run, lambda: referrals.referral_accept(actor=manager, referral=new))
    committed(run, lambda: referrals.referral_allocate(actor=manager, referral=new, worker=worker))
    assert sent_as(notify) == [
        ("referral_accepted_place", "referrer@example.gov.uk", about(new)),
        (
            "referral_allocated",
            "referrer@example.gov.uk",
            {**about(new), "worker_name": worker.get_full_name()},
        ),
        ("person_allocated", "worker_north@example.gov.uk", about(new)),
    ]
    # Declined, with the reason's label (never the note).
    declined = committed(run, lambda: make_referral(referrer))
    reason = DeclineReason.objects.filter(needs_note=False).first()
    assert reason is not None
    notify.sent.clear()
    committed(
        run,
        lambda: referrals.referral_decline(actor=manager, referral=declined, reason=reason),
    )
    assert sent_as(notify) == [
        (
            "referral_declined",
            "referrer@example.gov.uk",
            {**about(declined), "reason": reason.label},
        )
    ]
    # A concern the worker flagged for the referrer.
    notify.sent.clear()
    committed(run, lambda: concern(case, worker))
    assert sent_as(notify) == [("concern_flagged", "referrer@example.gov.uk", about(case))]
    # Support ended.
    notify.sent.clear()
    end = EndReason.objects.filter(needs_note=False).first()
    assert end is not None
    committed(
        run,
        lambda: referrals.referral_end(
            actor=manager, referral=case, reason=end, closing_summary="Found work."
        ),
    )
    assert sent_as(notify) == [("support_ended", "referrer@example.gov.uk", about(case))]


def test_the_waiting_list_position_and_a_place_offered_later(
    notify: FakeNotify,
    emails: dict[str, User],
    case: Referral,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = django_capture_on_commit_callbacks
    referrer, manager = emails["referrer"], emails["manager"]
    service = case.service
    service.capacity = 1
    service.save(update_fields=["capacity"])
    waiting = committed(run, lambda: make_referral(referrer))
    notify.sent.clear()
    committed(run, lambda: referrals.referral_accept(actor=manager, referral=waiting))
    assert sent_as(notify) == [
        (
            "referral_accepted_waiting",
            "referrer@example.gov.uk",
            {**about(waiting), "position": 1},
        )
    ]
    notify.sent.clear()
    end = EndReason.objects.filter(needs_note=False).first()
    assert end is not None
    committed(
        run,
        lambda: referrals.referral_end(
            actor=manager, referral=case, reason=end, closing_summary="Moved away."
        ),
    )
    assert sorted(sent_as(notify)) == sorted(
        [
            ("support_ended", "referrer@example.gov.uk", about(case)),
            ("referral_place_offered", "referrer@example.gov.uk", about(waiting)),
        ]
    )


def test_a_referral_held_as_a_possible_duplicate_tells_the_managers(
    notify: FakeNotify,
    emails: dict[str, User],
    case: Referral,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The event another change records (a referral held for the manager to check).
    committed(
        django_capture_on_commit_callbacks,
        lambda: audit(
            actor=emails["referrer"],
            kind=AuditKind.CHANGE,
            action="referral.held_as_duplicate",
            obj=case,
            subject_id=case.participant_id,
        ),
    )
    assert sent_as(notify) == [("referral_held_duplicate", "manager@example.gov.uk", about(case))]


def test_a_rescheduled_appointment_is_texted_with_worker_time_and_place_only(
    notify: FakeNotify,
    emails: dict[str, User],
    case: Referral,
    django_capture_on_commit_callbacks: Any,
) -> None:
    worker = emails["worker_north"]
    consenting(case.participant, worker)
    contact = book(case, worker, 48)
    moved_to = datetime.datetime(2026, 10, 5, 14, 30, tzinfo=NOW.tzinfo)
    committed(
        django_capture_on_commit_callbacks,
        lambda: contacts.contact_reschedule(
            actor=worker, contact=contact, starts_at=moved_to, reason="Worker on leave"
        ),
    )
    assert sent_as(notify) == [
        (
            "appointment_rescheduled",
            "07700900123",
            {
                "worker": worker.first_name,
                "time": "2:30pm on Monday 5 October",
                "place": "at Hanley Library",
            },
        )
    ]


def test_a_rolled_back_change_tells_nobody(
    notify: FakeNotify,
    emails: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Undo):
        from django.db import transaction

        with transaction.atomic():
            make_referral(emails["referrer"])
            raise Undo
    assert notify.sent == []
    assert not Message.objects.exists()


def test_a_board_report_ready_tells_the_services_commissioners(
    notify: FakeNotify,
    emails: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Asked for, generated by the task, then the commissioners are told: the event the
    reports app records when a report is ready (``report.ready``) is what tells them."""
    from pathways.core.periods import Period
    from pathways.reports.models import BoardReport, ReportStatus
    from pathways.reports.services import board_report_request

    service = emails["manager"].service
    assert service is not None
    period = Period(datetime.date(2026, 4, 1), datetime.date(2026, 9, 30))
    with time_machine.travel(datetime.datetime(2026, 10, 15, 12, tzinfo=datetime.UTC)):
        committed(
            django_capture_on_commit_callbacks,
            lambda: board_report_request(actor=emails["manager"], service=service, period=period),
        )
    report = BoardReport.objects.get()
    assert report.status == ReportStatus.DONE
    assert sent_as(notify) == [
        (
            "board_report_ready",
            "commissioner@example.gov.uk",
            {"period": str(period), "link": f"{BASE}/reports/board/{report.pk}/"},
        )
    ]
