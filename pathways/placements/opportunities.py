"""The one place an opportunity's status is derived: from its dates and its places taken.
Placements own the places taken (a placement takes a place from the employer's acceptance
until it ends early: ``placements.status.TAKES_PLACE``), so they own this status too.

| status | facts                                                                     |
| ------ | ------------------------------------------------------------------------- |
| closed | a worker closed it, or its closing date has passed (rolling: never)       |
| filled | not closed, and placements take every place                               |
| open   | otherwise                                                                 |

``rules(today)`` is that list. ``status_of`` applies it to one opportunity and its count
of places taken; ``with_status`` annotates a queryset of opportunities with
``places_taken`` and ``status_code`` in the database.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from pathways.core.status import StatusRules, tag_colours
from pathways.employers.models import Opportunity
from pathways.employers.status import closed_q, is_closed
from pathways.placements.models import Placement


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


tag_colours(
    OpportunityStatus,
    {
        OpportunityStatus.OPEN: "green",
        OpportunityStatus.FILLED: "blue",
        OpportunityStatus.CLOSED: "grey",
    },
    model="employers.Opportunity",
)


def rules(today: datetime.date | None = None) -> StatusRules[OpportunityStatus]:
    """The rules as of ``today``. A row needs ``places_taken`` (``with_places_taken``)."""
    day = today or timezone.localdate()
    return StatusRules(
        [
            (OpportunityStatus.CLOSED, closed_q(day), lambda o: is_closed(o, day)),
            (
                OpportunityStatus.FILLED,
                Q(places_taken__gte=F("places_available")),
                lambda o: o.places_taken >= o.places_available,
            ),
        ],
        OpportunityStatus.OPEN,
    )


def status_of(
    opportunity: Opportunity, places_taken: int, today: datetime.date | None = None
) -> OpportunityStatus:
    """One opportunity's status, given its places taken (``Placement.objects.places_taken``,
    counted with the opportunity's row locked)."""
    facts = SimpleNamespace(
        closed_at=opportunity.closed_at,
        closing_date=opportunity.closing_date,
        places_available=opportunity.places_available,
        places_taken=places_taken,
    )
    return rules(today).of(facts)


def _places_taken() -> Coalesce:
    taken = (
        Placement.objects.taking_place()
        .filter(opportunity=OuterRef("pk"))
        .order_by()
        .values("opportunity")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(taken, output_field=IntegerField()), 0)


def with_places_taken(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Each opportunity annotated with ``places_taken`` (one subquery)."""
    return opportunities.annotate(places_taken=_places_taken())


def with_status(
    opportunities: QuerySet[Opportunity], today: datetime.date | None = None
) -> QuerySet[Opportunity]:
    """Each opportunity annotated with ``places_taken`` and ``status_code``."""
    return with_places_taken(opportunities).annotate(status_code=rules(today).annotation())


def in_status(
    opportunities: QuerySet[Opportunity],
    *statuses: OpportunityStatus,
    today: datetime.date | None = None,
) -> QuerySet[Opportunity]:
    return with_status(opportunities, today).filter(Q(status_code__in=[s.value for s in statuses]))


def open_opportunities(
    opportunities: QuerySet[Opportunity], today: datetime.date | None = None
) -> QuerySet[Opportunity]:
    return in_status(opportunities, OpportunityStatus.OPEN, today=today)
