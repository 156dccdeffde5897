"""Presentation helpers for templates (no rules: those live in services and selectors)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from pathways.referrals.status import ReferralStatus

register = template.Library()

_TAG_COLOUR = {
    ReferralStatus.RECEIVED: "govuk-tag--blue",
    ReferralStatus.DECLINED: "govuk-tag--red",
    ReferralStatus.WAITING: "govuk-tag--yellow",
    ReferralStatus.ACTIVE: "govuk-tag--green",
    ReferralStatus.ENDED: "govuk-tag--grey",
    ReferralStatus.WITHDRAWN: "govuk-tag--grey",
}


@register.simple_tag
def status_tag(referral: Any) -> str:
    code = getattr(referral, "status_code", None)
    status = ReferralStatus(code) if code else referral.status
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', _TAG_COLOUR[status], status.label
    )


@register.simple_tag(takes_context=True)
def page_url(context: Any, number: int) -> str:
    """The current URL's query string with ``page`` replaced."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """``row|get_item:name``: a value of a dict by a key held in a variable."""
    return mapping.get(key)


@register.filter
def join_if_list(value: Any) -> Any:
    """A list as "a, b, c"; anything else as it is."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return value
