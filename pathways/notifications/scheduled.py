"""The scheduled sends: appointment reminders the working day before, and the daily
digests of what is due. Each records its messages under a reference that names the
appointment or the day, so running it twice records (and sends) once; each records a whole
run in a fixed number of queries and enqueues one task."""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.models import Contact, ContactStatus
from pathways.core.roles import Role
from pathways.notifications.events import Draft, appointment, link, record
from pathways.notifications.models import Preference
from pathways.notifications.recipients import consented
from pathways.notifications.tasks import enqueue_sending
from pathways.notifications.working_days import is_working_day, next_working_day
from pathways.participants.models import Participant
from pathways.placements.models import SustainmentCheck, sustainment_due_q
from pathways.plans.selectors import overdue_q, with_review_due
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def reminder_window(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime] | None:
    """On a working day: the appointments from tomorrow to the next working day, inclusive
    (on a Friday, Saturday to Monday). None on other days."""
    if not is_working_day(today):
        return None
    return (
        _midnight(today + datetime.timedelta(days=1)),
        _midnight(next_working_day(today) + datetime.timedelta(days=1)),
    )


def appointment_reminders(today: datetime.date | None = None) -> list[int]:
    """Record a reminder for each booked appointment in the window of a person who may be
    texted, and enqueue their sending. Returns the ids of the messages waiting to go."""
    today = today or timezone.localdate()
    window = reminder_window(today)
    if window is None:
        return []
    appointments = (
        Contact.objects.in_status(ContactStatus.BOOKED)
        .filter(
            starts_at__gte=window[0],
            starts_at__lt=window[1],
            referral__ended_at__isnull=True,
        )
        .filter(referral__participant__in=Participant.objects.filter(consented()).values("pk"))
        .select_related("referral__worker", "booked_by")
        .order_by("starts_at", "pk")
    )
    # Each reminder's reference names its appointment: one per appointment, ever.
    drafts = [
        Draft(
            "appointment_reminder",
            appointment(contact),
            participant_id=contact.referral.participant_id,
            about=f"c{contact.pk}",
        )
        for contact in appointments
    ]
    with transaction.atomic():
        ids = record(drafts, what="reminder")
        transaction.on_commit(partial(enqueue_sending, ids))
    return ids


def digests(today: datetime.date | None = None) -> list[int]:
    """On a working day: each worker with something due gets a digest of what (reviews,
    appointments awaiting feedback, sustainment checks); each manager who chose the daily
    digest over immediate emails gets the number of referrals awaiting a decision."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return []
    now = timezone.now()
    active = Referral.objects.active().filter(worker__isnull=False)
    reviews = dict(
        with_review_due(active)
        .filter(overdue_q(today + datetime.timedelta(days=1)))
        .values_list("worker")
        .annotate(n=Count("pk"))
        .values_list("worker", "n")
    )
    feedback = dict(
        Contact.objects.awaiting_feedback(now)
        .filter(referral__in=active)
        .values_list("referral__worker")
        .annotate(n=Count("pk"))
        .values_list("referral__worker", "n")
    )
    sustainment = dict(
        SustainmentCheck.objects.filter(sustainment_due_q(today), placement__referral__in=active)
        .values_list("placement__referral__worker")
        .annotate(n=Count("pk"))
        .values_list("placement__referral__worker", "n")
    )
    due = set(reviews) | set(feedback) | set(sustainment)
    todo = link("contacts:todo")
    drafts = [
        Draft(
            "worker_digest",
            {
                "reviews": reviews.get(worker.pk, 0),
                "feedback": feedback.get(worker.pk, 0),
                "sustainment": sustainment.get(worker.pk, 0),
                "link": todo,
            },
            user=worker,
        )
        for worker in User.objects.filter(pk__in=due, role=Role.WORKER, is_active=True)
    ]
    awaiting = dict(
        Referral.objects.in_status(ReferralStatus.RECEIVED)
        .values_list("service")
        .annotate(n=Count("pk"))
        .values_list("service", "n")
    )
    digest_managers = Preference.objects.filter(template="referral_awaiting_decision").values(
        "user"
    )
    referrals = link("referrals:list")
    drafts += [
        Draft(
            "manager_digest",
            {"count": awaiting.get(manager.service_id or 0, 0), "link": referrals},
            user=manager,
        )
        for manager in User.objects.filter(
            pk__in=digest_managers,
            role=Role.MANAGER,
            is_active=True,
            service_id__in=list(awaiting),
        )
    ]
    with transaction.atomic():
        ids = record(drafts, what=f"d{today.isoformat()}")
        transaction.on_commit(partial(enqueue_sending, ids))
    return ids
