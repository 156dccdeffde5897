"""Multi-factor sign-in (django-otp): an authenticator app (TOTP) and recovery codes.

Every staff role must verify a code after the password, and enrols on first sign-in, when
``MFA_REQUIRED`` is on (the default; only the local demo and the test settings turn it
off). ``MfaRequiredMiddleware`` sends a signed-in user who has not verified a code this
session to enrol or to verify, and lets nothing else through.

After single sign-on the code is still asked, unless ``OIDC_PROVIDER_ENFORCES_MFA`` is on
and the provider's ID token said the person used more than one factor: then the session
carries ``PROVIDER_MFA`` (pathways/accounts/oidc.py) and counts as verified.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.accounts.models import User
from pathways.core.audit import audit_security

RECOVERY_CODES = 10
# Session key: the single sign-on provider did multi-factor sign-in (see the docstring).
PROVIDER_MFA = "pathways_mfa_by_provider"
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
# Paths an unverified user may still use.
OPEN_PATHS = (
    "/accounts/mfa/",
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/sso/",
    "/accounts/keep-alive/",
    "/accounts/session/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/static/",
    "/healthz",
    "/readyz",
)


WRONG_CODE = "The code is not right. Enter the code your app shows now"


def seconds_locked(device: Any) -> int:
    """Whole seconds until the device checks codes again after wrong ones (django-otp's
    throttle: 1, 2, 4, 8 ... seconds after each failure in a row); 0 when it checks now."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or data.get("locked_until") is None:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def app_seconds_locked(user: User) -> int:
    """How long the user's authenticator app refuses codes (the confirmed one, or the one
    being set up), read before a code is checked."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    return seconds_locked(device) if device is not None else 0


def refusal(wait: int) -> str:
    """Why a code was refused: the throttle (wait N seconds), or a wrong code."""
    if wait > 0:
        return (
            f"Too many codes that were not right. Wait {wait} "
            f"second{'' if wait == 1 else 's'}, then enter the code your app shows"
        )
    return WRONG_CODE


def verified(request: HttpRequest) -> bool:
    """The signed-in user gave a code this session, or their provider did MFA for it."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return True
    return bool(settings.OIDC_PROVIDER_ENFORCES_MFA and request.session.get(PROVIDER_MFA))


def has_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app(user: User) -> TOTPDevice:
    """The user's authenticator app not yet confirmed, made if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's set-up address as an inline SVG QR code (no inline style: CSP)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    svg: str = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code to add Pathways to your authenticator app" '
        'class="app-qr-code" ',
        1,
    )


def enrol(request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with a code from it; the recovery codes, or None if the code is wrong."""
    user = request.user
    if not device.verify_token(token):
        audit_security(actor=user, action="mfa.enrolment_failed")
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)  # type: ignore[arg-type]
        audit_security(actor=user, action="mfa.enrolled")
    otp_login(request, device)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(request: HttpRequest, token: str) -> bool:
    """Check a code from the app or a recovery code (each recovery code works once)."""
    user = request.user
    device = match_token(user, token.replace(" ", "").replace("-", ""))
    if device is None:
        audit_security(actor=user, action="mfa.failed")
        return False
    recovery = isinstance(device, StaticDevice)
    audit_security(
        actor=user,
        action="mfa.recovery_code_used" if recovery else "mfa.verified",
        detail={"recovery_codes_left": device.token_set.count()} if recovery else None,
    )
    otp_login(request, device)
    return True


class MfaRequiredMiddleware:
    """After the password, a code: until then only the MFA pages and sign-out answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and not verified(request)
        ):
            target = "/accounts/mfa/verify/" if has_app(user) else "/accounts/mfa/set-up/"
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return HttpResponseRedirect(f"{target}?{query}" if query else target)
        return self.get_response(request)
