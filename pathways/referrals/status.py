"""The one place a referral's status is derived from its dated facts.

``STATUS_RULES`` is read first to last; the first rule whose facts hold gives the status.
``status_of`` applies it to one row, ``ReferralQuerySet.with_status`` in the database.
``tag_colours`` says how each status looks as a tag (``{% status_tag referral %}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from pathways.core.status import Rule, StatusRules, tag_colours

if TYPE_CHECKING:
    from pathways.referrals.models import Referral  # noqa: F401 - the QuerySet's type


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Awaiting decision"
    HELD = "held", "Possible duplicate"
    DECLINED = "declined", "Declined"
    WAITING = "waiting", "On the waiting list"
    ACTIVE = "active", "Receiving support"
    ENDED = "ended", "Support ended"
    WITHDRAWN = "withdrawn", "Left before starting"

    @classmethod
    def open(cls) -> frozenset[ReferralStatus]:
        return frozenset({cls.RECEIVED, cls.HELD, cls.WAITING, cls.ACTIVE})


tag_colours(
    ReferralStatus,
    {
        ReferralStatus.RECEIVED: "blue",
        ReferralStatus.HELD: "orange",
        ReferralStatus.DECLINED: "red",
        ReferralStatus.WAITING: "yellow",
        ReferralStatus.ACTIVE: "green",
        ReferralStatus.ENDED: "grey",
        ReferralStatus.WITHDRAWN: "grey",
    },
    model="referrals.Referral",
)

# (status, facts in the database, facts on a row)
STATUS_RULES: list[Rule[ReferralStatus]] = [
    (ReferralStatus.DECLINED, Q(declined_at__isnull=False), lambda r: r.declined_at is not None),
    # Held for the manager as a possible duplicate: takes no place, cannot be accepted.
    (
        ReferralStatus.HELD,
        Q(held_at__isnull=False, hold_resolved_at__isnull=True),
        lambda r: r.held_at is not None and r.hold_resolved_at is None,
    ),
    (
        ReferralStatus.ENDED,
        Q(ended_at__isnull=False, started_at__isnull=False),
        lambda r: r.ended_at is not None and r.started_at is not None,
    ),
    (ReferralStatus.WITHDRAWN, Q(ended_at__isnull=False), lambda r: r.ended_at is not None),
    (ReferralStatus.ACTIVE, Q(started_at__isnull=False), lambda r: r.started_at is not None),
    (ReferralStatus.WAITING, Q(accepted_at__isnull=False), lambda r: r.accepted_at is not None),
]


RULES = StatusRules(STATUS_RULES, ReferralStatus.RECEIVED)
status_of = RULES.of
status_q = RULES.q


def places_free(capacity: int, receiving_support: int) -> int:
    """The rule: a service's places less the people receiving support, never below none
    (a manager may give a place over capacity)."""
    return max(capacity - receiving_support, 0)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def with_status(self) -> ReferralQuerySet:
        return self.annotate(status_code=RULES.annotation())

    def in_status(self, *statuses: ReferralStatus) -> ReferralQuerySet:
        return self.filter(RULES.any_of(statuses))

    def active(self) -> ReferralQuerySet:
        return self.in_status(ReferralStatus.ACTIVE)

    def waiting(self) -> ReferralQuerySet:
        return self.in_status(ReferralStatus.WAITING)

    def open(self) -> ReferralQuerySet:
        return self.in_status(*ReferralStatus.open())

    def free_places(self, capacity: int) -> int:
        """Places free in a service of this ``capacity``, for the referrals of that service
        (``Referral.objects.filter(service=...)``): the one count of free places."""
        return places_free(capacity, self.active().count())

    def queue_order(self) -> ReferralQuerySet:
        """The waiting list's order: first accepted first, ties by id."""
        return self.order_by("accepted_at", "id")
