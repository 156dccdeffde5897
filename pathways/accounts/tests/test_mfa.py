"""Multi-factor sign-in, switched on as it is everywhere but the demo and the other tests:
enrolment on first sign-in with a QR code and recovery codes, a code after the password on
every later sign-in, recovery codes that work once, every event audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.accounts.models import User
from pathways.accounts.tests.factories import PASSWORD
from pathways.core.models import AuditEvent, AuditKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mfa_on(settings: Any) -> None:
    settings.MFA_REQUIRED = True


def _code(device: TOTPDevice, offset: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{code:06d}"


def _password(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def _actions(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(kind=AuditKind.SECURITY, actor=user)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _enrol(client: Client, user: User) -> list[str]:
    _password(client, user.username)
    client.get("/accounts/mfa/set-up/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/accounts/mfa/set-up/", {"code": _code(device), "next": "/referrals/"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    return re.findall(r"<li><code>(\w+)</code></li>", page)


def test_first_sign_in_asks_to_enrol_before_anything_else(client: Client, referrer: User) -> None:
    _password(client, "referrer")
    response = client.get("/referrals/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/set-up/?next=%2Freferrals%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Set up your authenticator app" in page
    assert '<svg role="img" aria-label="QR code' in page
    assert "style=" not in page  # CSP: no inline style, the QR code included
    device = TOTPDevice.objects.get(user=referrer)
    assert not device.confirmed
    assert "otpauth://" not in page  # the QR code carries it; the key is shown for typing


def test_enrolment_with_a_wrong_code_is_refused_helpfully(client: Client, referrer: User) -> None:
    _password(client, "referrer")
    client.get("/accounts/mfa/set-up/")
    response = client.post("/accounts/mfa/set-up/", {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "The code is not right. Enter the code your app shows now" in html
    assert not TOTPDevice.objects.get(user=referrer).confirmed
    assert client.get("/referrals/").status_code == 302
    assert "mfa.enrolment_failed" in _actions(referrer)


def test_enrolment_gives_recovery_codes_once_and_signs_in(client: Client, referrer: User) -> None:
    codes = _enrol(client, referrer)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/referrals/").status_code == 200
    # Shown once only.
    assert client.get("/accounts/mfa/recovery-codes/").status_code == 302
    assert TOTPDevice.objects.get(user=referrer).confirmed
    assert _actions(referrer)[-1] == "mfa.enrolled"


def test_later_sign_ins_need_a_code(client: Client, referrer: User) -> None:
    _enrol(client, referrer)
    client.post("/accounts/logout/")
    _password(client, "referrer")
    response = client.get("/referrals/")
    assert response["Location"] == "/accounts/mfa/verify/?next=%2Freferrals%2F"
    wrong = client.post("/accounts/mfa/verify/", {"code": "123456", "next": "/referrals/"})
    assert "The code is not right" in wrong.content.decode()
    assert client.get("/referrals/").status_code == 302
    device = TOTPDevice.objects.get(user=referrer)
    device.throttle_reset()
    # The next time step: a code already used (at enrolment) is not accepted twice.
    right = client.post("/accounts/mfa/verify/", {"code": _code(device, 1), "next": "/referrals/"})
    assert right["Location"] == "/referrals/"
    assert client.get("/referrals/").status_code == 200
    assert _actions(referrer)[-3:] == ["sign_in.succeeded", "mfa.failed", "mfa.verified"]


def test_a_recovery_code_works_once(client: Client, referrer: User) -> None:
    codes = _enrol(client, referrer)
    for attempt in range(2):
        client.post("/accounts/logout/")
        _password(client, "referrer")
        response = client.post("/accounts/mfa/verify/", {"code": codes[0], "next": "/referrals/"})
        if attempt == 0:
            assert response["Location"] == "/referrals/"
            assert client.get("/referrals/").status_code == 200
        else:
            assert response.status_code == 200  # refused
            assert client.get("/referrals/").status_code == 302
    assert StaticToken.objects.filter(device__user=referrer).count() == 9
    used = AuditEvent.objects.get(action="mfa.recovery_code_used")
    assert used.detail == {"recovery_codes_left": 9}


@pytest.mark.parametrize("path", ["/admin/", "/referrals/1/", "/participants/find/"])
def test_every_page_waits_for_the_code(client: Client, admin_user: User, path: str) -> None:
    _password(client, "admin")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/set-up/")


def test_signing_out_is_always_possible(client: Client, referrer: User) -> None:
    _password(client, "referrer")
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/mfa/set-up/").status_code == 302  # to sign in


def test_off_only_when_the_setting_says_so(client: Client, settings: Any, referrer: User) -> None:
    settings.MFA_REQUIRED = False
    _password(client, "referrer")
    assert client.get("/referrals/").status_code == 200


def test_the_default_is_on() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MFA_REQUIRED"}
    env["SECRET_KEY"] = "x"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.MFA_REQUIRED)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_the_admin_never_shows_an_authenticators_secret(
    client: Client, referrer: User, admin_user: User
) -> None:
    _enrol(Client(), referrer)
    device = TOTPDevice.objects.get(user=referrer)
    client.force_login(admin_user)
    with override_settings(MFA_REQUIRED=False):  # the administrator's own MFA is not at issue
        page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert device.key not in html
        assert "qrcode" not in html.lower()
        listing = client.get("/admin/otp_totp/totpdevice/").content.decode()
        assert "qrcode" not in listing.lower()
        for view in ("config", "qrcode"):
            response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/")
            assert response.status_code == 403, view
