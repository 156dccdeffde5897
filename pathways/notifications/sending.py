"""Sending one recorded message: through GOV.UK Notify when a key is set, else through
Django's email backend (texts logged without the number), so development shows them.

A message is claimed under a row lock (``claim``): only a queued message, or one whose
retry is due, is sent, so a task that runs twice sends once. Its ``reference`` is the
Notify reference: a message left "being sent" by a crash is looked up at Notify by its
reference before it is ever sent again (``recover``). Temporary failures (timeouts, 429,
5xx) are retried with backoff up to ``MAX_ATTEMPTS``; permanent ones (400, 403, ...) stop
and are shown to the administrator. Each message sent is audited with its template and
recipient's id, never its content.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from pathways.core.audit import AuditKind, audit
from pathways.notifications.models import Channel, Message, MessageStatus
from pathways.notifications.recipients import consented, mobile_number
from pathways.notifications.templates import TEMPLATES, render
from pathways.participants.models import Participant

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A message left "being sent" this long (its worker died) is checked at Notify and retried.
STUCK_AFTER = datetime.timedelta(minutes=15)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next try after ``attempts`` tries: 1, 2, 4, 8, 16 minutes."""
    return datetime.timedelta(minutes=2 ** (attempts - 1))


def is_temporary(status_code: int) -> bool:
    """Timeouts and connection failures (the client reports them as 503), 429, 5xx."""
    return status_code == 429 or status_code >= 500


class NotSendable(Exception):
    """The message must not go: no address, consent withdrawn, account closed."""


class Refused(Exception):
    """Notify refused the message for good (400, 403): shown to the administrator."""


class TryLater(Exception):
    """A temporary failure: retried with backoff."""


@dataclass(frozen=True)
class Result:
    status: MessageStatus
    retry_at: datetime.datetime | None = None


def client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY,
        base_url=settings.NOTIFY_BASE_URL,
        timeout=settings.NOTIFY_TIMEOUT,
    )


def claim(message_id: int, *, now: datetime.datetime) -> Message | None:
    """Take the message for sending, under its row lock; None if it is not to be sent now
    (already sent, being sent, refused, or its retry not yet due)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.RETRYING):
            return None
        if message.next_attempt_at is not None and message.next_attempt_at > now:
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.status_at = now
        message.save(update_fields=["status", "attempts", "status_at"])
    return message


def _address(message: Message) -> str:
    """The email address or mobile number, read now (never stored on the message)."""
    if message.channel == Channel.SMS:
        if message.participant_id is None:
            raise NotSendable("no participant")
        person = (
            Participant.objects.filter(pk=message.participant_id)
            .annotate(consent=consented())
            .values("phone", "consent")
            .first()
        )
        if person is None or not person["consent"]:
            raise NotSendable("no consent to texts")
        number = mobile_number(person["phone"])
        if number is None:
            raise NotSendable("no mobile number")
        return number
    user = message.user
    if user is None or not user.is_active or not user.email:
        raise NotSendable("no active account with an email address")
    return user.email


def _send(message: Message, address: str) -> str:
    """Hand the message over; returns Notify's id ("" without Notify)."""
    template = TEMPLATES[message.template]
    personalisation: dict[str, Any] = dict(message.personalisation)
    if not settings.NOTIFY_API_KEY:
        subject, body = render(template, personalisation)
        if message.channel == Channel.EMAIL:
            send_mail(subject, body, None, [address])
        else:
            # Development: the text is logged, never the number.
            logger.info("Text %s to participant %s: %s", message.pk, message.participant_id, body)
        return ""
    template_id = settings.NOTIFY_TEMPLATE_IDS.get(message.template)
    if not template_id:
        raise Refused(f"no Notify template id for {message.template}")
    try:
        if message.channel == Channel.EMAIL:
            response = client().send_email_notification(
                email_address=address,
                template_id=template_id,
                personalisation=personalisation,
                reference=message.reference,
            )
        else:
            response = client().send_sms_notification(
                phone_number=address,
                template_id=template_id,
                personalisation=personalisation,
                reference=message.reference,
            )
    except APIError as error:
        # The status code and Notify's error type only: never the address or the content.
        reason = f"{error.status_code} {_error_type(error)}"[:200]
        if is_temporary(error.status_code):
            raise TryLater(reason) from None
        raise Refused(reason) from None
    return str(response.get("id", ""))


def _error_type(error: APIError) -> str:
    message = error.message
    if isinstance(message, list) and message and isinstance(message[0], dict):
        return str(message[0].get("error", ""))
    return "error"


def _finish(message: Message, **changes: Any) -> None:
    changes.setdefault("status_at", timezone.now())
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(**changes)


def send(message_id: int, *, now: datetime.datetime | None = None) -> Result | None:
    """Send one message if it is due; None when there was nothing to do."""
    now = now or timezone.now()
    message = claim(message_id, now=now)
    if message is None:
        return None
    try:
        notify_id = _send(message, _address(message))
    except NotSendable as reason:
        _finish(message, status=MessageStatus.NOT_SENT, error=str(reason), next_attempt_at=None)
        return Result(MessageStatus.NOT_SENT)
    except Refused as reason:
        _finish(message, status=MessageStatus.FAILED, error=str(reason), next_attempt_at=None)
        logger.warning("Message %s refused: %s", message.pk, reason)
        return Result(MessageStatus.FAILED)
    except TryLater as reason:
        if message.attempts >= MAX_ATTEMPTS:
            _finish(message, status=MessageStatus.FAILED, error=f"gave up: {reason}")
            return Result(MessageStatus.FAILED)
        retry_at = timezone.now() + backoff(message.attempts)
        _finish(message, status=MessageStatus.RETRYING, error=str(reason), next_attempt_at=retry_at)
        return Result(MessageStatus.RETRYING, retry_at)
    with transaction.atomic():
        _finish(
            message,
            status=MessageStatus.SENT,
            notify_id=notify_id,
            sent_at=timezone.now(),
            error="",
            next_attempt_at=None,
        )
        audit(
            actor=None,
            kind=AuditKind.CHANGE,
            action="notification.sent",
            obj=message,
            subject_id=message.participant_id,
            summary=f"Notification sent: {message.template}",
            detail={"template": message.template, "user_id": message.user_id},
        )
    return Result(MessageStatus.SENT)


def recover(message: Message, *, now: datetime.datetime) -> bool:
    """A message left "being sent" (its worker stopped mid-send): if Notify has it (by
    reference), record it as sent; else make it due again. True if it is to be sent."""
    if settings.NOTIFY_API_KEY:
        try:
            found = client().get_all_notifications(reference=message.reference)
        except APIError:
            return False
        notifications = found.get("notifications", [])
        if notifications:
            _finish(
                message,
                status=MessageStatus.SENT,
                notify_id=str(notifications[0].get("id", "")),
                sent_at=now,
            )
            return False
    _finish(message, status=MessageStatus.RETRYING, next_attempt_at=now)
    return True
