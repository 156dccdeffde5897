"""Sign-in pages of Pathways beyond Django's own: staying signed in, multi-factor sign-in."""

from __future__ import annotations

import textwrap
import time
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pathways.accounts import mfa, oidc
from pathways.core.forms import Form
from pathways.core.middleware import LAST_SEEN, idle_seconds_left

RECOVERY_CODES_KEY = "pathways_new_recovery_codes"


class SignInView(LoginView):
    """Django's sign-in page, with "Sign in with <provider>" when single sign-on is on."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = oidc.provider_name()
        return context


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in" on the timeout warning: renews the idle time, and says how long the
    session now has (the 12 hours from sign-in still apply)."""
    request.session[LAST_SEEN] = int(time.time())
    return JsonResponse({"seconds_left": idle_seconds_left(request.session)})


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """The seconds left before the server ends this session for want of activity, without
    renewing it (SessionTimeoutMiddleware leaves this path's requests uncounted): a tab whose
    warning has run out asks before leaving the page, in case another tab kept the session
    alive. Signed out (or ended just now by the middleware's redirect): nothing left."""
    left = idle_seconds_left(request.session) if request.user.is_authenticated else 0
    return JsonResponse({"seconds_left": left})


class CodeForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), enter a code."""
    user = request.user
    if mfa.has_app(user):  # type: ignore[arg-type]
        return redirect(_next(request))
    device = mfa.pending_app(user)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = mfa.seconds_locked(device)  # before the code is checked
        codes = mfa.enrol(request, device, form.cleaned_data["code"])
        if codes is not None:
            request.session[RECOVERY_CODES_KEY] = codes
            return redirect(
                f"{reverse('accounts:mfa_recovery_codes')}?{urlencode({'next': _next(request)})}"
            )
        form.add_error("code", mfa.refusal(wait))
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_code": mark_safe(mfa.qr_svg(device)),  # noqa: S308 - SVG made by qrcode
            "key": " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)),
            "next": _next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password, from the app or a recovery code."""
    if mfa.verified(request) or not mfa.has_app(request.user):  # type: ignore[arg-type]
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = mfa.app_seconds_locked(request.user)  # type: ignore[arg-type]
        if mfa.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", mfa.refusal(wait))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next(request)})


@login_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once, just after enrolment."""
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect(_next(request))
    return render(
        request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": _next(request)}
    )
