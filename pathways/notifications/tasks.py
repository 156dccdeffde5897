"""The background sending of messages (Django's Tasks API)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import default_task_backend, task

from pathways.notifications.models import Message, MessageStatus
from pathways.notifications.sending import STUCK_AFTER, recover, send


@task()
def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send each message that is due; a message already sent is left alone, so running
    this twice sends once. A temporary failure is retried later (``enqueue_sending`` with
    ``run_after`` where the backend can defer; else ``send_due_notifications``)."""
    counts: dict[str, int] = {}
    for message_id in message_ids:
        result = send(message_id)
        if result is None:
            continue
        counts[result.status] = counts.get(result.status, 0) + 1
        if result.retry_at is not None and default_task_backend.supports_defer:
            send_messages.using(run_after=result.retry_at).enqueue([message_id])
    return counts


def enqueue_sending(message_ids: list[int]) -> None:
    """One task for the lot (one row on the database backend, however many messages)."""
    if message_ids:
        send_messages.enqueue(list(message_ids))


def send_due() -> list[int]:
    """Messages waiting or due a retry, and any left "being sent" by a stopped worker
    (checked at Notify by reference first): enqueued in one task."""
    now = timezone.now()
    for stuck in Message.objects.filter(
        status=MessageStatus.SENDING, status_at__lt=now - STUCK_AFTER
    ):
        recover(stuck, now=now)
    due = list(
        Message.objects.sendable()
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    enqueue_sending(due)
    return due
