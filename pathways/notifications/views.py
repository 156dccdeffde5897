"""Notify's delivery receipts (a callback, bearer token checked in constant time), and a
user's choice of the notifications they receive."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pathways.core.errors import RuleBroken
from pathways.notifications import services
from pathways.notifications.models import Preference
from pathways.notifications.templates import TEMPLATES, optional_templates


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
    return {"referrer": "referrer", "worker": "worker", "manager": "manager"}.get(
        str(getattr(user, "role", "")), ""
    )
