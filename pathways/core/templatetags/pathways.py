"""Presentation helpers for templates (no rules: those live in services and selectors)."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from pathways.core.status import shown_status, tag_colour

register = template.Library()


@register.simple_tag
def status_tag(value: Any) -> str:
    """Any derived status as a GOV.UK tag, in the colour its app declares
    (``core.status.tag_colours``): a status, or a row with ``status_code`` (from
    ``with_status``) or a ``status``."""
    status = shown_status(value)
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', tag_colour(status), status.label
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


@register.filter
def days_since(value: datetime.date | datetime.datetime | None) -> int | str:
    """Whole days from a date (or a moment, in local time) to today; "" for none."""
    if value is None:
        return ""
    day = timezone.localdate(value) if isinstance(value, datetime.datetime) else value
    return (timezone.localdate() - day).days
