"""From the events the domain records to the messages they call for.

Every change is already an audit event (``core.audit.audit``). A receiver on the event
(connected in ``apps.py``) waits for the change's transaction to commit, then records the
messages the event calls for and enqueues their sending, so no lower app knows of this one
and a rolled-back change sends nothing. ``HANDLERS`` maps an event's action to the
function that says who is told what.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.models import Contact, Mode
from pathways.core.models import AuditEvent
from pathways.core.roles import Role
from pathways.notifications.models import Message, MessageStatus, Preference
from pathways.notifications.recipients import textable
from pathways.notifications.tasks import enqueue_sending
from pathways.notifications.templates import TEMPLATES
from pathways.referrals.models import Referral
from pathways.referrals.selectors import queue_position

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """A message to record: the template, the recipient (a user or a participant) and the
    personalisation."""

    template: str
    personalisation: dict[str, Any] = field(default_factory=dict)
    user: User | None = None
    participant_id: int | None = None
    # What the message is about, when not the run's event or day (an appointment: "c12").
    about: str = ""

    def reference(self, what: str) -> str:
        """The message's unique reference: template, what it is about, recipient (ids)."""
        who = f"u{self.user.pk}" if self.user is not None else f"p{self.participant_id}"
        return f"{self.template}-{self.about or what}-{who}"


# ------------------------------------------------------------------ personalisation


def link(name: str, *args: object) -> str:
    return settings.PATHWAYS_BASE_URL.rstrip("/") + reverse(name, args=args)


def referral_reference(referral_id: int) -> str:
    """The referral's reference in emails: its number, never the person."""
    return f"PW{referral_id:06d}"


def about_referral(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral_reference(referral.pk),
        "link": link("referrals:detail", referral.pk),
    }


def appointment(contact: Contact) -> dict[str, str]:
    """The only things a text may say: the worker's first name, the time and the place."""
    worker = contact.referral.worker or contact.booked_by
    at = timezone.localtime(contact.starts_at)
    time = f"{at:%-I:%M%p}".lower().replace(":00", "") + f" on {at:%A %-d %B}"
    if contact.mode == Mode.PHONE:
        place = "by phone"
    elif contact.mode == Mode.VIDEO:
        place = "by video call"
    else:
        place = f"at {contact.location}" if contact.location else "at the usual place"
    return {"worker": worker.first_name or "your support worker", "time": time, "place": place}


# ------------------------------------------------------------------ who is told what


def _referral(event: AuditEvent) -> Referral:
    pk = int(event.object_id) if event.object_type == "referrals.referral" else event.episode_id
    if pk is None:
        raise ValueError(f"event {event.pk} belongs to no referral")
    return Referral.objects.select_related("referred_by", "worker", "decline_reason").get(pk=pk)


def _to_referrer(template: str) -> Callable[[AuditEvent], list[Draft]]:
    def handler(event: AuditEvent) -> list[Draft]:
        referral = _referral(event)
        return [Draft(template, about_referral(referral), user=referral.referred_by)]

    return handler


def _managers(referral: Referral) -> list[User]:
    return list(
        User.objects.filter(role=Role.MANAGER, service_id=referral.service_id, is_active=True)
    )


def referral_created(event: AuditEvent) -> list[Draft]:
    referral = _referral(event)
    drafts = [Draft("referral_received", about_referral(referral), user=referral.referred_by)]
    # Managers who chose the daily digest have turned this off (Preference).
    drafts += [
        Draft("referral_awaiting_decision", about_referral(referral), user=manager)
        for manager in _managers(referral)
    ]
    return drafts


def referral_held_as_duplicate(event: AuditEvent) -> list[Draft]:
    referral = _referral(event)
    return [
        Draft("referral_held_duplicate", about_referral(referral), user=manager)
        for manager in _managers(referral)
    ]


def referral_accepted(event: AuditEvent) -> list[Draft]:
    referral = _referral(event)
    position = queue_position(referral)
    if position is None:
        return [
            Draft("referral_accepted_place", about_referral(referral), user=referral.referred_by)
        ]
    return [
        Draft(
            "referral_accepted_waiting",
            {**about_referral(referral), "position": position},
            user=referral.referred_by,
        )
    ]


def referral_declined(event: AuditEvent) -> list[Draft]:
    referral = _referral(event)
    reason = referral.decline_reason.label if referral.decline_reason else "not given"
    return [
        Draft(
            "referral_declined",
            {**about_referral(referral), "reason": reason},
            user=referral.referred_by,
        )
    ]


def referral_allocated(event: AuditEvent) -> list[Draft]:
    referral = _referral(event)
    worker = User.objects.get(pk=event.detail.get("worker_id", referral.worker_id))
    return [
        Draft(
            "referral_allocated",
            {**about_referral(referral), "worker_name": worker.get_full_name() or "a worker"},
            user=referral.referred_by,
        ),
        Draft("person_allocated", about_referral(referral), user=worker),
    ]


def concern_flagged(event: AuditEvent) -> list[Draft]:
    contact = Contact.objects.select_related("referral__referred_by").get(pk=event.object_id)
    if not contact.tell_referrer:
        return []
    referral = contact.referral
    return [Draft("concern_flagged", about_referral(referral), user=referral.referred_by)]


def appointment_rescheduled(event: AuditEvent) -> list[Draft]:
    contact = Contact.objects.select_related("referral__worker", "booked_by").get(
        pk=event.object_id
    )
    return [
        Draft(
            "appointment_rescheduled",
            appointment(contact),
            participant_id=contact.referral.participant_id,
        )
    ]


def board_report_ready(event: AuditEvent) -> list[Draft]:
    """The reports app records ``report.ready`` when a report is generated (object: the
    report; detail: ``service_id`` and ``period``, its label). Read from the event alone:
    this app sits below reports and never imports it."""
    service_id = event.detail.get("service_id")
    personalisation = {
        "period": str(event.detail.get("period", "")),
        "link": link("reports:board_detail", int(event.object_id)),
    }
    return [
        Draft("board_report_ready", personalisation, user=commissioner)
        for commissioner in User.objects.filter(
            role=Role.COMMISSIONER, service_id=service_id, is_active=True
        )
    ]


HANDLERS: dict[str, Callable[[AuditEvent], list[Draft]]] = {
    "referral.created": referral_created,
    "referral.held_as_duplicate": referral_held_as_duplicate,
    "referral.accepted": referral_accepted,
    "referral.place_offered": _to_referrer("referral_place_offered"),
    "referral.declined": referral_declined,
    "referral.allocated": referral_allocated,
    "referral.ended": _to_referrer("support_ended"),
    "contact.recorded": concern_flagged,
    "contact.feedback": concern_flagged,
    "contact.rescheduled": appointment_rescheduled,
    "report.ready": board_report_ready,
}


# ------------------------------------------------------------------ recording


def turned_off(drafts: list[Draft]) -> set[tuple[int, str]]:
    """(user id, template) pairs the users have turned off (safety ones never are)."""
    users = {d.user.pk for d in drafts if d.user is not None}
    if not users:
        return set()
    return set(Preference.objects.filter(user_id__in=users).values_list("user_id", "template"))


def record(drafts: list[Draft], *, what: str, event_id: int | None = None) -> list[int]:
    """Record the messages (once: the reference is unique) and return the ids of those
    waiting to be sent. A user's turned-off information and a person who may not be
    texted are left out here; both are checked again when sending."""
    off = turned_off(drafts)
    may_text = textable(d.participant_id for d in drafts if d.participant_id is not None)
    now = timezone.now()
    rows = []
    for draft in drafts:
        template = TEMPLATES[draft.template]
        if draft.user is not None:
            if not template.safety and (draft.user.pk, draft.template) in off:
                continue
        elif draft.participant_id not in may_text:
            continue
        rows.append(
            {
                "reference": draft.reference(what),
                "template": draft.template,
                "channel": str(template.channel),
                "user_id": draft.user.pk if draft.user is not None else None,
                "participant_id": draft.participant_id,
                "event_id": event_id,
                "personalisation": draft.personalisation,
            }
        )
    if not rows:
        return []
    _insert(rows, now)
    # This run's rows (a message recorded before is not recorded again, and is left to
    # the task that was enqueued for it, or to ``send_due_notifications``).
    return list(
        Message.objects.sendable()
        .filter(created_at=now, template__in={row["template"] for row in rows})
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Columns every new message starts with.
_NEW = {"status": MessageStatus.QUEUED.value, "attempts": 0, "error": "", "notify_id": ""}


def _insert(rows: list[dict[str, Any]], now: datetime.datetime) -> None:
    """Insert the messages, skipping those whose reference is already recorded, in ONE
    statement however many there are: on SQLite the rows go as one JSON parameter
    (``json_each``), since Django would split a bulk insert into batches of 999
    parameters; elsewhere (PostgreSQL allows 65,535 parameters) Django's bulk insert."""
    if connection.vendor != "sqlite":
        Message.objects.bulk_create(
            [Message(**row, **_NEW, created_at=now) for row in rows], ignore_conflicts=True
        )
        return
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ["reference", "template", "channel", "user_id", "participant_id", "event_id"]
    picked = ", ".join(f"json_extract(value, '$.{column}')" for column in columns)
    # Only fixed names are put into the statement (the table, the columns); every value is
    # a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, personalisation, status, attempts, "  # noqa: S608
        "error, notify_id, created_at) "
        f"SELECT {picked}, json_extract(value, '$.personalisation'), %s, 0, '', '', %s "
        # "WHERE true": SQLite's grammar needs it before ON CONFLICT after a SELECT.
        "FROM json_each(%s) WHERE true ON CONFLICT (reference) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                MessageStatus.QUEUED.value,
                connection.ops.adapt_datetimefield_value(now),
                json.dumps(rows, cls=DjangoJSONEncoder),
            ],
        )


def record_for_event(event_id: int) -> list[int]:
    """Record and enqueue the messages an event calls for (after its change committed)."""
    event = AuditEvent.objects.get(pk=event_id)
    drafts = HANDLERS[event.action](event)
    with transaction.atomic():
        ids = record(drafts, what=f"e{event.pk}", event_id=event.pk)
    enqueue_sending(ids)
    return ids


def on_audit_event(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.action not in HANDLERS:
        return
    # After the change commits: a rolled-back change tells nobody. A failure here is
    # logged (by id) and never undoes the change the user made.
    transaction.on_commit(partial(record_for_event, instance.pk), robust=True)
