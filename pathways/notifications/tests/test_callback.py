"""Notify's delivery receipts: the bearer token is checked; a bounce shows to the
administrator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from pathways.accounts.models import User
from pathways.notifications.events import Draft, record
from pathways.notifications.models import Message, MessageStatus
from pathways.notifications.tasks import send_messages
from pathways.notifications.tests.fake_notify import FakeNotify

pytestmark = pytest.mark.django_db
URL = "/notifications/callback/"


def _sent(user: User) -> Message:
    (pk,) = record(
        [Draft("person_allocated", {"reference": "PW1", "link": "x"}, user=user)], what="e1"
    )
    send_messages.call([pk])
    return Message.objects.get(pk=pk)


def _receipt(client: Client, message: Message, status: str, token: str | None) -> Any:
    headers: dict[str, Any] = {} if token is None else {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {
        "id": message.notify_id,
        "reference": message.reference,
        "status": status,
        "notification_type": "email",
        "to": "someone@example.gov.uk",
    }
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_the_callback_refuses_a_wrong_or_missing_token(
    notify: FakeNotify, emails: dict[str, User], client: Client, settings: Any
) -> None:
    message = _sent(emails["worker_north"])
    assert _receipt(client, message, "delivered", "not-the-token").status_code == 401
    assert _receipt(client, message, "delivered", None).status_code == 401
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert _receipt(client, message, "delivered", "").status_code == 401
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT
    assert client.get(URL).status_code == 405


def test_a_receipt_marks_delivery_and_a_bounce_shows_to_the_administrator(
    notify: FakeNotify, emails: dict[str, User], client: Client
) -> None:
    delivered = _sent(emails["worker_north"])
    assert _receipt(client, delivered, "delivered", "callback-token-for-tests").status_code == 204
    assert Message.objects.get(pk=delivered.pk).status == MessageStatus.DELIVERED
    (pk,) = record(
        [Draft("referral_received", {"reference": "PW2", "link": "x"}, user=emails["referrer"])],
        what="e2",
    )
    send_messages.call([pk])
    bounced = Message.objects.get(pk=pk)
    assert (
        _receipt(client, bounced, "permanent-failure", "callback-token-for-tests").status_code
        == 204
    )
    bounced.refresh_from_db()
    assert (bounced.status, bounced.error) == (MessageStatus.BOUNCED, "Notify: permanent-failure")
    client.force_login(emails["admin"])
    response = client.get("/admin/notifications/message/?attention=yes")
    page = response.content.decode()
    assert "referral_received" in page and "Notify: permanent-failure" in page
    # The delivered one needs no attention: only the bounce is listed.
    assert [m.pk for m in response.context["cl"].result_list] == [bounced.pk]
    # A receipt for no message of ours.
    bounced.notify_id, bounced.reference = "unknown", "unknown"
    assert _receipt(client, bounced, "delivered", "callback-token-for-tests").status_code == 404


def test_the_consent_page_records_consent_and_withdrawal_for_people_in_scope(
    emails: dict[str, User], case: Any, client: Client
) -> None:
    from pathways.notifications.models import TextConsent

    url = f"/notifications/people/{case.participant_id}/texts/"
    client.force_login(emails["worker_north"])
    page = client.get(url)
    assert page.status_code == 200
    assert "has not consented" in page.content.decode()
    given = client.post(
        url, {"decision": "give", "on-day": "1", "on-month": "10", "on-year": "2026"}
    )
    assert given.status_code == 302
    consent = TextConsent.objects.get(participant=case.participant)
    assert str(consent.given_on) == "2026-10-01"
    client.post(url, {"decision": "withdraw", "on-day": "1", "on-month": "10", "on-year": "2026"})
    consent.refresh_from_db()
    assert str(consent.withdrawn_on) == "2026-10-01"
    # Outside the user's scope: 404, and nothing recorded.
    client.force_login(emails["outsider"])
    assert (
        client.post(
            url, {"decision": "give", "on-day": "1", "on-month": "10", "on-year": "2026"}
        ).status_code
        == 404
    )
    assert TextConsent.objects.count() == 1
