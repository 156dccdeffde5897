"""Sending: once, whatever happens; temporary failures retried with backoff; permanent
ones stop and show to the administrator; without a Notify key, Django's email backend."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.models import AuditEvent
from pathways.notifications import services
from pathways.notifications.events import Draft, record
from pathways.notifications.models import Message, MessageStatus
from pathways.notifications.sending import MAX_ATTEMPTS, STUCK_AFTER
from pathways.notifications.tasks import send_due, send_messages
from pathways.notifications.tests.fake_notify import FakeNotify
from pathways.notifications.tests.helpers import MOBILE, consenting
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _message(user: User, template: str = "person_allocated", what: str = "e1") -> int:
    (pk,) = record(
        [Draft(template, {"reference": "PW000001", "link": "https://x/"}, user=user)],
        what=what,
    )
    return pk


def test_the_task_run_twice_sends_once(notify: FakeNotify, emails: dict[str, User]) -> None:
    pk = _message(emails["worker_north"])
    send_messages.call([pk])
    send_messages.call([pk])
    assert len(notify.sent) == 1
    message = Message.objects.get(pk=pk)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.notify_id == notify.sent[0]["id"]
    assert notify.sent[0]["reference"] == message.reference
    # Recording the same message again (the event replayed) records nothing new.
    assert (
        record(
            [
                Draft(
                    "person_allocated",
                    {"reference": "PW000001", "link": "https://x/"},
                    user=emails["worker_north"],
                )
            ],
            what="e1",
        )
        == []
    )
    assert Message.objects.count() == 1
    # Audited: template and recipient's id, no content.
    sent = AuditEvent.objects.get(action="notification.sent")
    assert sent.detail == {"template": "person_allocated", "user_id": emails["worker_north"].pk}
    assert "example.gov.uk" not in str(sent.detail) + sent.summary


def test_temporary_failures_are_retried_with_backoff_then_sent_once(
    notify: FakeNotify, emails: dict[str, User]
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        pk = _message(emails["worker_north"])
        notify.respond(500, 429)
        send_messages.call([pk])
        first = Message.objects.get(pk=pk)
        assert first.status == MessageStatus.RETRYING
        assert first.error == "500 Exception"
        assert first.next_attempt_at == start + datetime.timedelta(minutes=1)
        # Not due yet: running again does nothing.
        send_messages.call([pk])
        assert Message.objects.get(pk=pk).attempts == 1
        clock.move_to(start + datetime.timedelta(minutes=1, seconds=1))
        assert send_due() == [pk]  # the scheduler's sweep finds it due
        second = Message.objects.get(pk=pk)
        assert (second.status, second.error) == (MessageStatus.RETRYING, "429 RateLimitError")
        assert second.next_attempt_at == timezone.now() + datetime.timedelta(minutes=2)
        clock.move_to(second.next_attempt_at + datetime.timedelta(seconds=1))
        send_messages.call([pk])
        send_messages.call([pk])
    assert len(notify.sent) == 1
    done = Message.objects.get(pk=pk)
    assert (done.status, done.attempts, done.error) == (MessageStatus.SENT, 3, "")


def test_a_timeout_is_temporary_and_giving_up_shows_to_the_administrator(
    notify: FakeNotify, emails: dict[str, User], settings: Any
) -> None:
    # Nothing listens there: the client reports a failed connection as 503.
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"
    pk = _message(emails["worker_north"])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(MAX_ATTEMPTS):
            send_messages.call([pk])
            clock.shift(datetime.timedelta(hours=1))
    message = Message.objects.get(pk=pk)
    assert message.status == MessageStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert message.error.startswith("gave up: 503")


def test_a_permanent_refusal_stops_and_shows_to_the_administrator(
    notify: FakeNotify, emails: dict[str, User], client: Client
) -> None:
    pk = _message(emails["worker_north"])
    notify.respond(400)
    send_messages.call([pk])
    send_messages.call([pk])
    message = Message.objects.get(pk=pk)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.error == "400 BadRequestError"
    assert notify.sent == []
    client.force_login(emails["admin"])
    page = client.get("/admin/notifications/message/?attention=yes")
    assert page.status_code == 200
    assert "person_allocated" in page.content.decode()
    assert "400 BadRequestError" in page.content.decode()


def test_the_fake_notify_refuses_a_token_not_signed_with_the_key(
    notify: FakeNotify, emails: dict[str, User], settings: Any
) -> None:
    settings.NOTIFY_API_KEY = (
        f"pathways_test-{notify.service_id}-{'0' * 8}-0000-0000-0000-{'0' * 12}"
    )
    pk = _message(emails["worker_north"])
    send_messages.call([pk])
    assert notify.refused_tokens == 1
    assert notify.sent == []
    message = Message.objects.get(pk=pk)
    assert (message.status, message.error) == (MessageStatus.FAILED, "403 AuthError")


def test_a_message_left_being_sent_is_looked_up_at_notify_not_sent_again(
    notify: FakeNotify, emails: dict[str, User]
) -> None:
    pk = _message(emails["worker_north"])
    send_messages.call([pk])
    # As if the worker had stopped after Notify took it, before the result was saved.
    Message.objects.filter(pk=pk).update(
        status=MessageStatus.SENDING,
        notify_id="",
        status_at=timezone.now() - STUCK_AFTER - datetime.timedelta(minutes=1),
    )
    assert send_due() == []
    message = Message.objects.get(pk=pk)
    assert message.status == MessageStatus.SENT
    assert message.notify_id == notify.sent[0]["id"]
    assert len(notify.sent) == 1


def test_a_turned_off_notification_is_not_sent_but_a_safety_one_always_is(
    notify: FakeNotify, emails: dict[str, User]
) -> None:
    referrer = emails["referrer"]
    services.preferences_set(user=referrer, turned_off={"referral_received"})
    assert record([Draft("referral_received", {}, user=referrer)], what="e1") == []
    with pytest.raises(Exception, match="cannot be turned off"):
        services.preferences_set(user=referrer, turned_off={"concern_flagged"})
    assert len(record([Draft("concern_flagged", {}, user=referrer)], what="e2")) == 1


def test_withdrawn_consent_stops_every_later_text(
    notify: FakeNotify, emails: dict[str, User], case: Referral
) -> None:
    worker = emails["worker_north"]
    text = {"worker": "Sam", "time": "2pm on Friday 2 October", "place": "at Hanley Library"}
    person = case.participant
    # No consent recorded: no text is even recorded.
    person.phone = MOBILE
    person.save(update_fields=["phone"])
    assert record([Draft("appointment_reminder", text, participant_id=person.pk)], what="c1") == []
    consenting(person, worker)
    queued = record([Draft("appointment_reminder", text, participant_id=person.pk)], what="c2")
    assert len(queued) == 1
    services.text_consent_withdraw(
        actor=worker, participant=person, withdrawn_on=timezone.localdate()
    )
    send_messages.call(queued)
    assert notify.sent == []
    assert Message.objects.get(pk=queued[0]).status == MessageStatus.NOT_SENT
    assert record([Draft("appointment_reminder", text, participant_id=person.pk)], what="c3") == []
    assert AuditEvent.objects.filter(action="text_consent.withdrawn", subject_id=person.pk).exists()


def test_without_a_key_emails_go_through_django_and_texts_are_logged_without_the_number(
    emails: dict[str, User], case: Referral, settings: Any, caplog: Any
) -> None:
    settings.NOTIFY_API_KEY = ""
    worker = emails["worker_north"]
    consenting(case.participant, worker)
    email = _message(worker)
    text = record(
        [
            Draft(
                "appointment_reminder",
                {"worker": "Sam", "time": "2pm on Friday 2 October", "place": "at Hanley Library"},
                participant_id=case.participant_id,
            )
        ],
        what="c1",
    )
    with caplog.at_level(logging.INFO, logger="pathways.notifications"):
        send_messages.call([email, *text])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["worker_north@example.gov.uk"]
    assert mail.outbox[0].subject == "Referral PW000001 allocated to you"
    assert "https://x/" in mail.outbox[0].body
    logged = caplog.text
    assert "your appointment with Sam at 2pm on Friday 2 October at Hanley Library" in logged
    assert "07700" not in logged and "900123" not in logged
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_backend_that_can_defer_gets_the_retry_enqueued_for_later(
    notify: FakeNotify, emails: dict[str, User], settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    pk = _message(emails["worker_north"])
    notify.respond(503)
    send_messages.call([pk])
    retry = DBTaskResult.objects.get()
    message = Message.objects.get(pk=pk)
    assert retry.args_kwargs["args"] == [[pk]]
    assert retry.run_after == message.next_attempt_at
