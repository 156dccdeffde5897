"""The contract's ending flag for pages of lower apps (the outcomes dashboard): a template
tag, so that the figures app does not import the contract app above it."""

from __future__ import annotations

from django import template
from django.utils import timezone

from pathways.accounts.models import Service
from pathways.contracts.selectors import alert_for

register = template.Library()


@register.simple_tag
def contract_alert(service: Service) -> str:
    """The service's contract has ended, or ends within 90 days: what to say; else ""."""
    return alert_for(service, timezone.localdate())
