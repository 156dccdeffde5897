"""The scheduled sends: reminders the working day before (a fixed number of queries for
1,000 appointments), digests on working days when something is due; each runs twice and
sends once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pathways.accounts.models import User
from pathways.accounts.tests.factories import UserFactory
from pathways.contacts import services as contacts
from pathways.contacts.models import Contact, Mode
from pathways.core.roles import Role
from pathways.notifications import services
from pathways.notifications.models import Message
from pathways.notifications.scheduled import appointment_reminders, digests
from pathways.notifications.tests.conftest import sent_as
from pathways.notifications.tests.fake_notify import FakeNotify
from pathways.notifications.tests.helpers import book, consenting
from pathways.notifications.working_days import next_working_day
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW, TODAY, make_referral

pytestmark = pytest.mark.django_db
FRIDAY = datetime.date(2026, 10, 2)
SATURDAY = datetime.date(2026, 10, 3)
MONDAY = datetime.date(2026, 10, 5)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_working_days_skip_weekends_and_the_holidays_set(settings: Any) -> None:
    assert TODAY.weekday() == 3  # a Thursday
    assert next_working_day(TODAY) == FRIDAY
    assert next_working_day(FRIDAY) == MONDAY
    settings.NON_WORKING_DAYS = ["2026-10-05"]
    assert next_working_day(FRIDAY) == datetime.date(2026, 10, 6)


def test_reminders_go_the_working_day_before_and_once(
    notify: FakeNotify,
    emails: dict[str, User],
    case: Referral,
    django_capture_on_commit_callbacks: Any,
) -> None:
    worker = emails["worker_north"]
    consenting(case.participant, worker)
    friday = book(case, worker, 24 + 4)  # Friday 14:00
    monday = contacts.contact_book(
        actor=worker,
        referral=case,
        when=contacts.When(starts_at=_at(MONDAY, 9, 30), mode=Mode.PHONE, duration_minutes=30),
    )
    moved = book(case, worker, 24 + 1)  # Friday 11:00, then moved: only the new one
    contacts.contact_reschedule(
        actor=worker, contact=moved, starts_at=_at(FRIDAY, 16), reason="Room taken"
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders")
    assert sorted(sent_as(notify), key=lambda s: s[2]["time"]) == [
        (
            "appointment_reminder",
            "07700900123",
            {
                "worker": worker.first_name,
                "time": "2pm on Friday 2 October",
                "place": "at Hanley Library",
            },
        ),
        (
            "appointment_reminder",
            "07700900123",
            {
                "worker": worker.first_name,
                "time": "4pm on Friday 2 October",
                "place": "at Hanley Library",
            },
        ),
    ]
    assert Message.objects.filter(reference__contains=f"-c{friday.pk}-").count() == 1
    # Again the same day: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders() == []
    assert len(notify.sent) == 2
    # A Saturday run sends nothing; Friday's covers Saturday to Monday.
    assert appointment_reminders(SATURDAY) == []
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reminders(FRIDAY)
    assert sent_as(notify)[-1] == (
        "appointment_reminder",
        "07700900123",
        {"worker": worker.first_name, "time": "9:30am on Monday 5 October", "place": "by phone"},
    )
    assert len(notify.sent) == 3
    assert Message.objects.filter(reference__contains=f"-c{monday.pk}-").count() == 1


def _appointments(case: Referral, worker: User, count: int) -> None:
    Contact.objects.bulk_create(
        Contact(
            referral=case,
            starts_at=_at(FRIDAY, 0, 30) + datetime.timedelta(seconds=50 * n),
            mode=Mode.FACE_TO_FACE,
            duration_minutes=30,
            location="Hanley Library",
            booked_by=worker,
            created_at=NOW,
        )
        for n in range(count)
    )


def _queries_for_reminders(capture: Any) -> tuple[int, int]:
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        queued = appointment_reminders()
    return len(queries), len(queued)


def test_reminders_for_a_thousand_appointments_are_queued_in_a_fixed_number_of_queries(
    emails: dict[str, User],
    case: Referral,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The database backend: queuing is one task row, whatever the number of messages.
    settings.TASKS = DATABASE_TASKS
    worker = emails["worker_north"]
    consenting(case.participant, worker)
    _appointments(case, worker, 10)
    few, queued_few = _queries_for_reminders(django_capture_on_commit_callbacks)
    assert queued_few == 10
    Message.objects.all().delete()
    _appointments(case, worker, 990)
    many, queued_many = _queries_for_reminders(django_capture_on_commit_callbacks)
    assert queued_many == 1000
    assert many == few
    assert few <= 8


def test_digests_only_to_those_with_something_due_on_working_days_once(
    notify: FakeNotify,
    emails: dict[str, User],
    case: Referral,
    django_capture_on_commit_callbacks: Any,
) -> None:
    worker = emails["worker_north"]
    # An appointment that took place yesterday and awaits feedback; the plan's first
    # review (14 days after the start on 1 September) is overdue.
    Contact.objects.create(
        referral=case,
        starts_at=NOW - datetime.timedelta(days=1),
        mode=Mode.FACE_TO_FACE,
        duration_minutes=30,
        booked_by=worker,
        created_at=NOW - datetime.timedelta(days=2),
    )
    # A manager who chose the daily digest over an email per referral.
    digest_manager: User = UserFactory(  # type: ignore[assignment]
        role=Role.MANAGER, service=case.service, email="digest@example.gov.uk"
    )
    services.preferences_set(user=digest_manager, turned_off={"referral_awaiting_decision"})
    make_referral(emails["referrer"])  # awaits a decision
    assert digests(SATURDAY) == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_worker_digests")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_worker_digests")
    assert sorted(sent_as(notify)) == [
        (
            "manager_digest",
            "digest@example.gov.uk",
            {"count": 1, "link": "https://pathways.example/referrals/"},
        ),
        (
            "worker_digest",
            "worker_north@example.gov.uk",
            {
                "reviews": 1,
                "feedback": 1,
                "sustainment": 0,
                "link": "https://pathways.example/to-do/",
            },
        ),
    ]
