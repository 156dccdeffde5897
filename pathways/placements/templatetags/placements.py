"""Status tags for opportunities and placements (presentation only)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from pathways.employers.status import OpportunityStatus
from pathways.placements.status import PlacementStatus

register = template.Library()
TAG = '<strong class="govuk-tag {}">{}</strong>'

_OPPORTUNITY = {
    OpportunityStatus.OPEN: "govuk-tag--green",
    OpportunityStatus.FILLED: "govuk-tag--blue",
    OpportunityStatus.CLOSED: "govuk-tag--grey",
}
_PLACEMENT = {
    PlacementStatus.PUT_FORWARD: "govuk-tag--blue",
    PlacementStatus.ACCEPTED: "govuk-tag--turquoise",
    PlacementStatus.DECLINED: "govuk-tag--grey",
    PlacementStatus.STARTED: "govuk-tag--green",
    PlacementStatus.COMPLETED: "govuk-tag--purple",
    PlacementStatus.ENDED_EARLY: "govuk-tag--red",
    PlacementStatus.WITHDRAWN: "govuk-tag--grey",
}


@register.simple_tag
def opportunity_tag(opportunity: Any) -> str:
    """Needs the row from ``with_status()`` (it carries ``status_code``)."""
    status = OpportunityStatus(opportunity.status_code)
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', _OPPORTUNITY[status], status.label
    )


@register.simple_tag
def placement_tag(placement: Any) -> str:
    code = getattr(placement, "status_code", None)
    status = PlacementStatus(code) if code else placement.status
    return format_html(TAG, _PLACEMENT[status], status.label)
