"""The one place a placement's status is derived from its dated facts.

``STATUS_RULES`` is read first to last; the first rule whose facts hold gives the status.
``status_of`` applies it to one row, ``PlacementQuerySet.with_status`` in the database.

A placement **takes a place** on its opportunity from the employer's acceptance until it
ends early (a completed placement keeps its place: the place was used). ``TAKES_PLACE`` is
that rule; the opportunity's "filled" status and the overbooking check both use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, Q, Value, When

if TYPE_CHECKING:
    from pathways.placements.models import Placement


class PlacementStatus(models.TextChoices):
    PUT_FORWARD = "put_forward", "Put forward"
    ACCEPTED = "accepted", "Accepted by employer"
    DECLINED = "declined", "Not accepted by employer"
    STARTED = "started", "In placement"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"
    WITHDRAWN = "withdrawn", "Withdrawn before start"

    @classmethod
    def open(cls) -> frozenset[PlacementStatus]:
        return frozenset({cls.PUT_FORWARD, cls.ACCEPTED, cls.STARTED})


STATUS_RULES: list[tuple[PlacementStatus, Q, Any]] = [
    (
        PlacementStatus.COMPLETED,
        Q(completed_on__isnull=False),
        lambda p: p.completed_on is not None,
    ),
    (
        PlacementStatus.ENDED_EARLY,
        Q(ended_early_on__isnull=False, started_on__isnull=False),
        lambda p: p.ended_early_on is not None and p.started_on is not None,
    ),
    (
        PlacementStatus.WITHDRAWN,
        Q(ended_early_on__isnull=False),
        lambda p: p.ended_early_on is not None,
    ),
    (PlacementStatus.DECLINED, Q(declined_on__isnull=False), lambda p: p.declined_on is not None),
    (PlacementStatus.STARTED, Q(started_on__isnull=False), lambda p: p.started_on is not None),
    (PlacementStatus.ACCEPTED, Q(accepted_on__isnull=False), lambda p: p.accepted_on is not None),
]

TAKES_PLACE = Q(accepted_on__isnull=False, ended_early_on__isnull=True)


def takes_place(placement: Placement) -> bool:
    return placement.accepted_on is not None and placement.ended_early_on is None


def status_of(placement: Placement) -> PlacementStatus:
    for status, _q, holds in STATUS_RULES:
        if holds(placement):
            return status
    return PlacementStatus.PUT_FORWARD


def status_q(status: PlacementStatus) -> Q:
    """The facts that give exactly this status (earlier rules excluded)."""
    q = Q()
    for rule_status, rule_q, _holds in STATUS_RULES:
        if rule_status == status:
            return q & rule_q
        q &= ~rule_q
    return q


class PlacementQuerySet(models.QuerySet["Placement"]):
    def with_status(self) -> PlacementQuerySet:
        whens = [When(q, then=Value(status.value)) for status, q, _ in STATUS_RULES]
        return self.annotate(
            status_code=Case(
                *whens,
                default=Value(PlacementStatus.PUT_FORWARD.value),
                output_field=models.CharField(),
            )
        )

    def in_status(self, *statuses: PlacementStatus) -> PlacementQuerySet:
        q = Q(pk__in=[])
        for status in statuses:
            q |= status_q(status)
        return self.filter(q)

    def open(self) -> PlacementQuerySet:
        return self.in_status(*PlacementStatus.open())

    def taking_place(self) -> PlacementQuerySet:
        return self.filter(TAKES_PLACE)
