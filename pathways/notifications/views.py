"""Notify's delivery receipts (a callback, bearer token checked in constant time), and a
user's choice of the notifications they receive."""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from pathways.core.access import Action
from pathways.core.errors import RuleBroken
from pathways.core.http import requires
from pathways.core.pages import form_page
from pathways.notifications import services
from pathways.notifications.forms import GIVE, TextConsentForm
from pathways.notifications.models import Preference, TextConsent
from pathways.notifications.recipients import mobile_number
from pathways.notifications.templates import TEMPLATES, optional_templates
from pathways.referrals.people import participant_get_for


def _token_ok(request: HttpRequest) -> bool:
    expected = settings.NOTIFY_CALLBACK_TOKEN
    header = request.headers.get("Authorization", "")
    if not expected or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), expected.encode())


@csrf_exempt
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    """Notify's delivery receipt: updates the message's status (a bounce is shown to the
    administrator). Refused (401) without the right bearer token."""
    if not _token_ok(request):
        return HttpResponse(status=401)
    try:
        receipt = json.loads(request.body)
        notify_id = str(receipt.get("id") or "")
        reference = str(receipt.get("reference") or "")
        status = str(receipt["status"])
    except (ValueError, KeyError, AttributeError):
        return HttpResponse(status=400)
    found = services.delivery_receipt(notify_id=notify_id, reference=reference, status=status)
    return HttpResponse(status=204 if found else 404)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's notifications: those for information only may be turned off."""
    user = request.user
    offered = [t for t in optional_templates() if t.audience == _audience(user)]
    error = ""
    if request.method == "POST":
        wanted = set(request.POST.getlist("on"))
        try:
            services.preferences_set(
                user=user,  # type: ignore[arg-type]
                turned_off={t.key for t in offered if t.key not in wanted},
            )
        except RuleBroken as broken:
            error = str(broken)
        else:
            return redirect("notifications:preferences")
    off = set(Preference.objects.filter(user=user).values_list("template", flat=True))  # type: ignore[misc]
    return render(
        request,
        "notifications/preferences.html",
        {
            "offered": [(t, t.key not in off) for t in offered],
            "safety": [t for t in TEMPLATES.values() if t.safety and t.audience == _audience(user)],
            "error": error,
        },
    )


def _audience(user: object) -> str:
    role = str(getattr(user, "role", ""))
    return role if role in ("referrer", "worker", "manager", "commissioner") else ""


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RECORD_SUPPORT)
def text_consent(request: Any, pk: int) -> HttpResponse:
    """Record the person's consent to appointment texts, or its withdrawal, with the date
    (the person in the user's scope; the view audited)."""
    person = participant_get_for(request.user, pk)
    current = TextConsent.objects.current().filter(participant=person).first()
    if current is None:
        state = "The person has not consented to appointment texts."
    else:
        state = f"The person consented to appointment texts on {current.given_on:%-d %B %Y}."
    if mobile_number(person.phone) is None:
        state += " Their phone number is not a UK mobile number, so no text can be sent."

    def perform(data: dict[str, Any]) -> object:
        if data["decision"] == GIVE:
            return services.text_consent_give(
                actor=request.user, participant=person, given_on=data["on"]
            )
        return services.text_consent_withdraw(
            actor=request.user, participant=person, withdrawn_on=data["on"]
        )

    return form_page(
        request,
        form=TextConsentForm(request.POST or None),
        perform=perform,
        title="Appointment texts",
        intro="notifications/_text_consent_intro.html",
        context={"consent_state": state},
        button="Save",
        done="Consent to texts recorded",
        caption=person.full_name,
        back_url=reverse("participants:detail", args=[person.pk]),
        back_label="Back to the person's record",
    )
