"""The one place an opportunity's status is derived: from its dates and its places taken.

| status | facts                                                                     |
| ------ | ------------------------------------------------------------------------- |
| closed | a worker closed it, or its closing date has passed (rolling: never)       |
| filled | not closed, and placements take every place (see placements.status)       |
| open   | otherwise                                                                 |

``status_of`` applies it to one row, ``OpportunityQuerySet.with_status`` in the database.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

if TYPE_CHECKING:
    from pathways.employers.models import Opportunity


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


def is_closed(opportunity: Opportunity, today: datetime.date | None = None) -> bool:
    day = today or timezone.localdate()
    return opportunity.closed_at is not None or (
        opportunity.closing_date is not None and opportunity.closing_date < day
    )


def status_of(
    opportunity: Opportunity, places_taken: int, today: datetime.date | None = None
) -> OpportunityStatus:
    if is_closed(opportunity, today):
        return OpportunityStatus.CLOSED
    if places_taken >= opportunity.places_available:
        return OpportunityStatus.FILLED
    return OpportunityStatus.OPEN


def closed_q(today: datetime.date | None = None) -> Q:
    day = today or timezone.localdate()
    return Q(closed_at__isnull=False) | Q(closing_date__lt=day)


def _places_taken() -> Coalesce:
    from pathways.placements.models import Placement

    taken = (
        Placement.objects.taking_place()
        .filter(opportunity=OuterRef("pk"))
        .order_by()
        .values("opportunity")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(taken, output_field=IntegerField()), 0)


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def with_places_taken(self) -> OpportunityQuerySet:
        return self.annotate(places_taken=_places_taken())

    def with_status(self, today: datetime.date | None = None) -> OpportunityQuerySet:
        return self.with_places_taken().annotate(
            status_code=Case(
                When(closed_q(today), then=Value(OpportunityStatus.CLOSED.value)),
                When(
                    places_taken__gte=F("places_available"),
                    then=Value(OpportunityStatus.FILLED.value),
                ),
                default=Value(OpportunityStatus.OPEN.value),
                output_field=models.CharField(),
            )
        )

    def in_status(
        self, *statuses: OpportunityStatus, today: datetime.date | None = None
    ) -> OpportunityQuerySet:
        return self.with_status(today).filter(Q(status_code__in=[s.value for s in statuses]))

    def open(self, today: datetime.date | None = None) -> OpportunityQuerySet:
        return self.in_status(OpportunityStatus.OPEN, today=today)
