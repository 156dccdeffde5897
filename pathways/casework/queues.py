"""The work queue: what needs doing, each item a count, its oldest case first, and a link.

The manager's home shows it for the whole service; a worker's To do shows the items about
their own people. Each list is one count and one limited fetch in the database, so the
page is a fixed number of queries however large the service. The rules live where their
records do: "no contact in 4 weeks" and "a placement's first two weeks" in
``contacts/selectors.py``, sustainment checks due in ``placements/models.py``, plan reviews
overdue in ``plans/selectors.py``, the waiting estimate in ``referrals/waiting.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.selectors import (
    EARLY_PLACEMENT_DAYS,
    RECENT_DAYS,
    awaiting_feedback_for,
    without_early_contact,
    without_recent_contact,
)
from pathways.core.access import Action, Role, can, role_of
from pathways.placements.access import placements_for
from pathways.placements.selectors import sustainment_checks_due_for
from pathways.plans.models import review_due_on
from pathways.plans.selectors import overdue_reviews_for
from pathways.referrals.access import referrals_for
from pathways.referrals.selectors import unallocated_for, waiting_list_for
from pathways.referrals.status import ReferralStatus
from pathways.referrals.waiting import PlaceEstimate, place_estimate

_Q = TypeVar("_Q", bound=QuerySet[Any])

# Rows shown under each item; the count is always the whole.
SHOWN = 25


@dataclass
class Queue:
    """One item of the work queue: ``rows`` are its oldest ``SHOWN`` cases, oldest first,
    each with ``days`` (how long it has waited, as the item says)."""

    key: str  # the section's anchor, and the template's row layout
    title: str
    days_label: str
    count: int
    rows: list[Any]
    more_url: str = ""
    more_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def oldest_days(self) -> int | None:
        return self.rows[0].days if self.rows else None


def _days(today: datetime.date, when: datetime.date | datetime.datetime | None) -> int | None:
    if when is None:
        return None
    day = timezone.localdate(when) if isinstance(when, datetime.datetime) else when
    return (today - day).days


def _take(
    qs: QuerySet[Any], today: datetime.date, when: str | Callable[[Any], Any]
) -> tuple[int, list[Any]]:
    """The whole count and the first ``SHOWN`` rows, each given ``days`` since ``when``
    (an attribute of the row, or a function of it): two queries, whatever the size."""
    rows = list(qs[:SHOWN])
    for row in rows:
        row.days = _days(today, when(row) if callable(when) else getattr(row, when))
    return qs.count(), rows


def _own(user: User, qs: _Q, worker_field: str) -> _Q:
    """A worker's queue is about their own people; the manager's about the service."""
    if role_of(user) is Role.WORKER:
        return qs.filter(**{worker_field: user})
    return qs


def work_queue(user: User) -> list[Queue]:
    """The items of the user's work queue, in the order the page shows them."""
    now = timezone.now()
    today = timezone.localdate()
    queues: list[Queue] = []

    if can(user, Action.TRIAGE):
        awaiting = (
            referrals_for(user)
            .in_status(ReferralStatus.RECEIVED)
            .select_related("participant", "patch")
            .order_by("received_at", "id")
        )
        count, rows = _take(awaiting, today, "received_at")
        queues.append(
            Queue(
                "awaiting-decision",
                "Referrals awaiting a decision",
                "Days since received",
                count,
                rows,
                reverse("referrals:list") + f"?status={ReferralStatus.RECEIVED.value}",
                "See every referral awaiting a decision",
            )
        )
    if can(user, Action.ALLOCATE):
        count, rows = _take(unallocated_for(user), today, "started_at")
        queues.append(
            Queue(
                "no-worker",
                "Receiving support with no worker",
                "Days since support started",
                count,
                rows,
            )
        )
    if can(user, Action.TRIAGE):
        estimate: PlaceEstimate = place_estimate(user.service_id or 0, now)
        waiting = waiting_list_for(user).prefetch_related(None).select_related("participant")
        count, rows = _take(waiting, today, "accepted_at")
        for row in rows:
            row.estimate_days = estimate.days_until_place(row.position)
        queues.append(
            Queue(
                "waiting-list",
                "Waiting list",
                "Days waiting",
                count,
                rows,
                reverse("referrals:waiting_list"),
                "See the whole waiting list",
                {"estimate": estimate},
            )
        )

    count, rows = _take(
        overdue_reviews_for(user),
        today,
        lambda r: r.next_review_due or review_due_on(r.started_at),
    )
    queues.append(Queue("reviews-overdue", "Plan reviews overdue", "Days overdue", count, rows))
    count, rows = _take(awaiting_feedback_for(user), today, "starts_at")
    queues.append(
        Queue(
            "awaiting-feedback",
            "Appointments awaiting feedback",
            "Days since the appointment",
            count,
            rows,
        )
    )
    count, rows = _take(
        sustainment_checks_due_for(user, today=today).select_related("placement__referral__worker"),
        today,
        "due_on",
    )
    queues.append(
        Queue(
            "sustainment-due",
            "Job sustainment checks due or overdue",
            "Days since due",
            count,
            rows,
        )
    )
    quiet = without_recent_contact(_own(user, referrals_for(user), "worker"), now)
    count, rows = _take(quiet.select_related("participant", "worker"), today, "quiet_since")
    queues.append(
        Queue(
            "no-contact",
            f"No contact in {RECENT_DAYS // 7} weeks",
            "Days since the last contact (or the start)",
            count,
            rows,
        )
    )
    placements = without_early_contact(
        _own(user, placements_for(user), "referral__worker"), today
    ).select_related("participant", "opportunity__employer", "referral__worker")
    count, rows = _take(placements, today, "started_on")
    queues.append(
        Queue(
            "placement-no-contact",
            f"Placements with no contact in their first {EARLY_PLACEMENT_DAYS // 7} weeks",
            "Days since the start",
            count,
            rows,
        )
    )
    return queues


def records_shown(queues: list[Queue]) -> list[list[Any]]:
    """The rows each item shows, for the list's audit event (ids only)."""
    return [queue.rows for queue in queues]
