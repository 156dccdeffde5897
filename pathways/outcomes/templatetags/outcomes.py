"""Presentation of figures (no rules: those live in the measure registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms, template
from django.utils import formats, timezone

register = template.Library()


@register.simple_tag
def status_words(status: str) -> str:
    """A status in the words every page and document uses (``selectors.STATUS_WORDS``)."""
    from pathways.outcomes.selectors import STATUS_WORDS

    return STATUS_WORDS.get(status, status)


@register.simple_tag
def status_colour(status: str) -> str:
    from pathways.outcomes.selectors import STATUS_COLOURS

    return STATUS_COLOURS.get(status, "grey")


@register.simple_tag
def percent(rate: float | None) -> str:
    return "\N{EN DASH}" if rate is None else f"{rate:.0%}"


@register.simple_tag
def figure_value(measure: Any, figure: Any) -> str:
    """A measure's value as people read it: a count, days, or a dash when there is none."""
    if figure.value is None:
        return "\N{EN DASH}"
    if measure.unit == "days":
        return f"{figure.value:g} days"
    return f"{figure.value:g}"


@register.simple_tag
def cell(value: Any) -> str:
    """One drill-down cell: dates in UK style, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "\N{EN DASH}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "j M Y")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j M Y")
    return str(value)


@register.simple_tag
def bound_field(form: forms.Form, name: str) -> forms.BoundField:
    return form[name]
