"""Feedback on the service, through the phase banner's link (the GOV.UK feedback page):
how the person felt about the service and how it could be better. Nothing personal is
asked or kept; the service manager reads their service's, the administrator everyone's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pathways.core.access import Role, role_of
from pathways.core.forms import Form, radios, text_area
from pathways.core.models import Feedback, Satisfaction

# The GOV.UK feedback page's limit on the suggestion.
MAX_LENGTH = 1200
# The page is open to everyone: at most this many pieces of feedback an hour from one
# account, or from one address when signed out, so no script can fill the table.
HOURLY_LIMIT = 10
TOO_MANY = "You have sent a lot of feedback in the last hour. Try again later."


def within_limit(request: HttpRequest) -> bool:
    """Count one more piece of feedback from whoever sent the request; false past the
    hour's limit. The key is a keyed hash (nothing personal in the cache), kept an hour."""
    user = request.user
    who = f"user:{user.pk}" if user.is_authenticated else request.META.get("REMOTE_ADDR", "")
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"feedback:{salted_hmac('feedback', who).hexdigest()[:32]}:{hour}"
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # gone between the two calls
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    return count <= HOURLY_LIMIT


class FeedbackForm(Form):
    satisfaction = radios(
        "Overall, how did you feel about the service you received today?",
        Satisfaction.choices,
        "Select how you felt about the service",
    )
    improvement = text_area(
        "How could we improve this service?",
        required=False,
        hint="Do not include any personal information, for example names, dates of birth or "
        "case reference numbers.",
        rows=6,
    )

    def clean_improvement(self) -> str:
        text: str = self.cleaned_data["improvement"].strip()
        if len(text) > MAX_LENGTH:
            raise forms.ValidationError(
                f"How we could improve this service must be {MAX_LENGTH} characters or fewer"
            )
        return text


def feedback_give(*, user: Any, satisfaction: str, improvement: str) -> Feedback:
    """Keep the feedback with the giver's role and service, never who they are."""
    signed_in = user is not None and user.is_authenticated
    role = role_of(user) if signed_in else None
    return Feedback.objects.create(
        given_at=timezone.now(),
        satisfaction=satisfaction,
        improvement=improvement,
        role=role or "",
        service_id=user.service_id if signed_in else None,
    )


def feedback_for(user: Any) -> QuerySet[Feedback]:
    """The feedback a user may read: a manager their own service's, the administrator all."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Feedback.objects.select_related("service")
    if role == Role.MANAGER and user.service_id is not None:
        return Feedback.objects.filter(service_id=user.service_id).select_related("service")
    return Feedback.objects.none()


def satisfaction_counts(feedback: QuerySet[Feedback]) -> list[tuple[str, int]]:
    """How many gave each answer, every answer listed, counted in one query."""
    counted = dict(
        feedback.order_by()
        .values_list("satisfaction")
        .annotate(n=Count("id"))
        .values_list("satisfaction", "n")
    )
    return [(label, counted.get(value, 0)) for value, label in Satisfaction.choices]
