"""The one place a placement's status is derived from its dated facts.

``STATUS_RULES`` is read first to last; the first rule whose facts hold gives the status.
``status_of`` applies it to one row, ``PlacementQuerySet.with_status`` in the database.
``tag_colours`` says how each status looks as a tag (``{% status_tag placement %}``).

A placement **takes a place** on its opportunity from the employer's acceptance until it
ends early (a completed placement keeps its place: the place was used). ``TAKES_PLACE`` is
that rule; the opportunity's "filled" status (placements/opportunities.py) and the
overbooking checks (``PlacementQuerySet.places_taken``) both use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from pathways.core.status import Rule, StatusRules, tag_colours

if TYPE_CHECKING:
    from pathways.employers.models import Opportunity
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


tag_colours(
    PlacementStatus,
    {
        PlacementStatus.PUT_FORWARD: "blue",
        PlacementStatus.ACCEPTED: "turquoise",
        PlacementStatus.DECLINED: "grey",
        PlacementStatus.STARTED: "green",
        PlacementStatus.COMPLETED: "purple",
        PlacementStatus.ENDED_EARLY: "red",
        PlacementStatus.WITHDRAWN: "grey",
    },
    model="placements.Placement",
)

STATUS_RULES: list[Rule[PlacementStatus]] = [
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


RULES = StatusRules(STATUS_RULES, PlacementStatus.PUT_FORWARD)
status_of = RULES.of
status_q = RULES.q


class PlacementQuerySet(models.QuerySet["Placement"]):
    def with_status(self) -> PlacementQuerySet:
        return self.annotate(status_code=RULES.annotation())

    def in_status(self, *statuses: PlacementStatus) -> PlacementQuerySet:
        return self.filter(RULES.any_of(statuses))

    def open(self) -> PlacementQuerySet:
        return self.in_status(*PlacementStatus.open())

    def taking_place(self) -> PlacementQuerySet:
        return self.filter(TAKES_PLACE)

    def places_taken(self, opportunity: Opportunity) -> int:
        """The places taken on one opportunity: what the overbooking checks count (with the
        opportunity's row locked). ``placements.opportunities.with_places_taken`` counts
        the same for a list of opportunities."""
        return self.filter(opportunity=opportunity).taking_place().count()
