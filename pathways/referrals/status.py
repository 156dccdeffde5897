"""The one place a referral's status is derived from its dated facts.

``STATUS_RULES`` is read first to last; the first rule whose facts hold gives the status.
``status_of`` applies it to one row, ``ReferralQuerySet.with_status`` in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, Q, Value, When

if TYPE_CHECKING:
    from pathways.referrals.models import Referral


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Awaiting decision"
    DECLINED = "declined", "Declined"
    WAITING = "waiting", "On the waiting list"
    ACTIVE = "active", "Receiving support"
    ENDED = "ended", "Support ended"
    WITHDRAWN = "withdrawn", "Left before starting"

    @classmethod
    def open(cls) -> frozenset[ReferralStatus]:
        return frozenset({cls.RECEIVED, cls.WAITING, cls.ACTIVE})


# (status, facts in the database, facts on a row)
STATUS_RULES: list[tuple[ReferralStatus, Q, Any]] = [
    (ReferralStatus.DECLINED, Q(declined_at__isnull=False), lambda r: r.declined_at is not None),
    (
        ReferralStatus.ENDED,
        Q(ended_at__isnull=False, started_at__isnull=False),
        lambda r: r.ended_at is not None and r.started_at is not None,
    ),
    (ReferralStatus.WITHDRAWN, Q(ended_at__isnull=False), lambda r: r.ended_at is not None),
    (ReferralStatus.ACTIVE, Q(started_at__isnull=False), lambda r: r.started_at is not None),
    (ReferralStatus.WAITING, Q(accepted_at__isnull=False), lambda r: r.accepted_at is not None),
]


def status_of(referral: Referral) -> ReferralStatus:
    for status, _q, holds in STATUS_RULES:
        if holds(referral):
            return status
    return ReferralStatus.RECEIVED


def status_q(status: ReferralStatus) -> Q:
    """The facts that give exactly this status (earlier rules excluded)."""
    q = Q()
    for rule_status, rule_q, _holds in STATUS_RULES:
        if rule_status == status:
            return q & rule_q
        q &= ~rule_q
    return q


class ReferralQuerySet(models.QuerySet["Referral"]):
    def with_status(self) -> ReferralQuerySet:
        whens = [When(q, then=Value(status.value)) for status, q, _ in STATUS_RULES]
        return self.annotate(
            status_code=Case(
                *whens,
                default=Value(ReferralStatus.RECEIVED.value),
                output_field=models.CharField(),
            )
        )

    def in_status(self, *statuses: ReferralStatus) -> ReferralQuerySet:
        q = Q(pk__in=[])
        for status in statuses:
            q |= status_q(status)
        return self.filter(q)

    def active(self) -> ReferralQuerySet:
        return self.in_status(ReferralStatus.ACTIVE)

    def waiting(self) -> ReferralQuerySet:
        return self.in_status(ReferralStatus.WAITING)

    def open(self) -> ReferralQuerySet:
        return self.in_status(*ReferralStatus.open())

    def queue_order(self) -> ReferralQuerySet:
        """The waiting list's order: first accepted first, ties by id."""
        return self.order_by("accepted_at", "id")
