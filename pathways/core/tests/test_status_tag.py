"""``{% status_tag %}`` renders any derived status as a GOV.UK tag in the colour its app
declares: a status itself, or a row (its ``status_code`` annotation, else its ``status``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.template import Context, Template

from pathways.contacts.models import ContactStatus
from pathways.core.status import tag_colours
from pathways.employers.models import Opportunity
from pathways.placements.models import Placement
from pathways.placements.opportunities import OpportunityStatus
from pathways.placements.status import PlacementStatus
from pathways.plans.models import GoalStatus, StepStatus
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus

TAG = '<strong class="govuk-tag govuk-tag--{}">{}</strong>'

# The colours the pages showed before every status shared one tag.
COLOURS: dict[type[models.TextChoices], dict[str, str]] = {
    ReferralStatus: {
        "received": "blue",
        "held": "orange",
        "declined": "red",
        "waiting": "yellow",
        "active": "green",
        "ended": "grey",
        "withdrawn": "grey",
    },
    PlacementStatus: {
        "put_forward": "blue",
        "accepted": "turquoise",
        "declined": "grey",
        "started": "green",
        "completed": "purple",
        "ended_early": "red",
        "withdrawn": "grey",
    },
    OpportunityStatus: {"open": "green", "filled": "blue", "closed": "grey"},
    GoalStatus: {"open": "blue", "achieved": "green", "withdrawn": "grey"},
    ContactStatus: {
        "booked": "blue",
        "awaiting_feedback": "yellow",
        "happened": "green",
        "did_not_happen": "red",
        "rescheduled": "grey",
    },
    StepStatus: {
        "not_started": "grey",
        "in_progress": "blue",
        "done": "green",
        "no_longer_needed": "grey",
    },
}


def _render(value: object) -> str:
    return Template("{% load pathways %}{% status_tag value %}").render(Context({"value": value}))


@pytest.mark.parametrize(
    "status", [status for statuses in COLOURS for status in statuses], ids=repr
)
def test_every_status_renders_as_a_tag_in_its_colour(status: models.TextChoices) -> None:
    colour = COLOURS[type(status)][status.value]
    assert _render(status) == TAG.format(colour, status.label)


@pytest.mark.parametrize(
    ("model", "status"),
    [
        (Referral, ReferralStatus.DECLINED),
        (Placement, PlacementStatus.DECLINED),
        (Opportunity, OpportunityStatus.CLOSED),
    ],
)
def test_a_row_shows_its_annotated_status_of_its_own_kind(
    model: type[models.Model], status: models.TextChoices
) -> None:
    row = model(pk=1)
    row.status_code = status.value  # type: ignore[attr-defined]
    assert _render(row) == TAG.format(COLOURS[type(status)][status.value], status.label)


def test_a_row_without_the_annotation_shows_its_status() -> None:
    goal = SimpleNamespace(status=GoalStatus.ACHIEVED)
    assert _render(goal) == TAG.format("green", "Achieved")


def test_a_status_without_a_colour_is_refused() -> None:
    class Half(models.TextChoices):
        ONE = "one", "One"
        TWO = "two", "Two"

    with pytest.raises(ImproperlyConfigured, match="two"):
        tag_colours(Half, {Half.ONE: "green"})
