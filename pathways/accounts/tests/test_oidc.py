"""Single sign-on through OpenID Connect, against a fake provider on 127.0.0.1
(fake_oidc.py): a real HTTP server, ID tokens signed RS256 with a key made for the run.

Off unless configured; never creates an account; signs in an existing active account
found by its bound subject id or, the first time, by a verified email; every refusal
audited by reason and account id alone; the session, its limits and MFA as for a password.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.accounts.models import User
from pathways.accounts.oidc import PathwaysOIDCBackend
from pathways.accounts.tests.factories import PASSWORD
from pathways.accounts.tests.fake_oidc import FakeProvider, Person
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.roles import Role

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

EMAIL = "Sam.North@Council.example"  # the worker's address, as the provider spells it
REFUSED = "You could not be signed in with Test Council."


@pytest.fixture
def worker(worker_north: User) -> User:
    worker_north.email = "sam.north@council.example"
    worker_north.save()
    return worker_north


def sso(client: Client, provider: FakeProvider, next_page: str = "/") -> Response:
    """Click "Sign in with", let the provider answer, follow it back: the callback's answer."""
    start = client.get("/accounts/sso/start/", {"next": next_page})
    assert start.status_code == 302, start
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return client.get(answer.headers["Location"])


def refusals() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(kind=AuditKind.SECURITY, action="sign_in.sso_refused").order_by(
            "id"
        )
    )


def assert_refused(client: Client, response: Response, reason: str, user_id: int | None) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get(response["Location"]).content.decode()
    assert REFUSED in page
    assert "_auth_user_id" not in client.session
    [refusal] = refusals()
    assert refusal.detail == {"reason": reason}
    assert refusal.object_id == ("" if user_id is None else str(user_id))


def assert_nothing_personal(caplog: pytest.LogCaptureFixture, *texts: str) -> None:
    for event in AuditEvent.objects.all():
        recorded = f"{event.summary} {event.detail} {event.object_id}".lower()
        for text in texts:
            assert text.lower() not in recorded, event.action
    for text in texts:
        assert text.lower() not in caplog.text.lower()


def test_a_known_active_user_signs_in_with_their_pathways_role(
    client: Client, provider: FakeProvider, worker: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    users = User.objects.count()
    provider.person = Person(sub="provider-id-1", email=EMAIL, email_verified=True)
    client.get("/accounts/login/")
    before = client.session.session_key
    response = sso(client, provider, next_page="/caseload/")
    assert response.status_code == 302 and response["Location"] == "/caseload/"
    # Their Pathways role and scope: the worker's caseload, and not the manager's pages.
    assert client.get("/caseload/").status_code == 200
    assert client.get("/imports/").status_code == 404
    assert client.get("/").headers["Location"] == "/caseload/"
    assert int(client.session["_auth_user_id"]) == worker.pk
    assert client.session.session_key != before  # a new session id
    # No account made or changed but for the bound subject id.
    worker.refresh_from_db()
    assert User.objects.count() == users
    assert (worker.role, worker.oidc_subject) == (Role.WORKER, "provider-id-1")
    signed_in = AuditEvent.objects.get(action="sign_in.succeeded")
    assert signed_in.actor == worker
    assert signed_in.detail == {"method": "oidc", "provider_mfa": False}
    assert AuditEvent.objects.get(action="sign_in.sso_bound").object_id == str(worker.pk)
    # The provider got a PKCE-checked code exchange, and no token is kept in the session.
    assert "POST /token" in provider.requests
    assert not {"oidc_access_token", "oidc_id_token"} & set(client.session.keys())
    assert_nothing_personal(caplog, EMAIL, "provider-id-1")


@pytest.mark.parametrize("email_verified", [None, True, "true"])
def test_a_verified_email_or_none_said_is_accepted(
    client: Client, provider: FakeProvider, worker: User, email_verified: Any
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL, email_verified=email_verified)
    assert sso(client, provider)["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == worker.pk


def test_an_unknown_email_is_refused_audited_and_no_account_is_made(
    client: Client, provider: FakeProvider, worker: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    users = User.objects.count()
    provider.person = Person(sub="stranger-1", email="jo.bloggs@elsewhere.example")
    response = sso(client, provider)
    assert_refused(client, response, "unknown_account", None)
    assert User.objects.count() == users
    assert not User.objects.exclude(oidc_subject="").exists()
    assert_nothing_personal(caplog, "jo.bloggs", "stranger-1")
    assert "jo.bloggs" not in response["Location"]


def test_an_inactive_user_is_refused(client: Client, provider: FakeProvider, worker: User) -> None:
    worker.is_active = False
    worker.save()
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    assert_refused(client, sso(client, provider), "inactive", worker.pk)
    worker.refresh_from_db()
    assert worker.oidc_subject == ""


@pytest.mark.parametrize("email_verified", [False, "false"])
def test_an_unverified_email_is_refused(
    client: Client, provider: FakeProvider, worker: User, email_verified: Any
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL, email_verified=email_verified)
    assert_refused(client, sso(client, provider), "email_unverified", None)


def test_a_state_this_browser_did_not_start_is_refused(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    start = client.get("/accounts/sso/start/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    code = parse_qs(back.query)["code"][0]
    # A forged state, and then the real answer replayed in another browser.
    forged = client.get(back.path, {"code": code, "state": "made-up"})
    assert_refused(client, forged, "state", None)
    other = Client()
    replayed = other.get(answer.headers["Location"])
    assert replayed["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in other.session
    assert [event.detail["reason"] for event in refusals()] == ["state", "state"]
    assert "POST /token" not in provider.requests  # refused before the code was used


def test_the_answer_works_once(client: Client, provider: FakeProvider, worker: User) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    start = client.get("/accounts/sso/start/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    assert client.get(back)["Location"] == "/"
    client.post("/accounts/logout/")
    assert client.get(back)["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("aud", "token"),
        ("expired", "token"),
        ("nonce", "token"),
        ("issuer", "token"),
        ("signature", "token"),
        ("userinfo_sub", "subject"),
        ("token_error", "provider"),
    ],
)
def test_an_id_token_not_right_in_every_way_is_refused(
    client: Client, provider: FakeProvider, worker: User, tamper: str, reason: str
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    provider.tamper = tamper
    assert_refused(client, sso(client, provider), reason, None)


def test_a_person_the_provider_did_not_sign_in_is_refused(
    client: Client, provider: FakeProvider
) -> None:
    provider.person = None  # the provider answers error=access_denied
    assert_refused(client, sso(client, provider), "provider_error", None)


def test_the_subject_is_bound_so_a_moved_email_cannot_take_the_account(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    sso(client, provider)
    client.post("/accounts/logout/")
    # Someone else at the provider now has the worker's address: refused.
    provider.person = Person(sub="provider-id-2", email=EMAIL, email_verified=True)
    assert_refused(client, sso(client, provider), "subject_mismatch", worker.pk)
    # The worker, whose address at the provider has changed, is still themself.
    provider.person = Person(sub="provider-id-1", email="s.north@new-council.example")
    assert sso(client, provider)["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == worker.pk


def test_two_active_accounts_with_the_email_are_refused(
    client: Client, provider: FakeProvider, worker: User, worker_south: User
) -> None:
    worker_south.email = worker.email.upper()
    worker_south.save()
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    assert_refused(client, sso(client, provider), "ambiguous", None)


def test_a_user_made_inactive_is_signed_out(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    sso(client, provider)
    assert client.get("/caseload/").status_code == 200
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert client.get("/caseload/").status_code == 302


def test_session_limits_apply_after_single_sign_on(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    sso(client, provider)
    assert client.get("/caseload/").status_code == 200
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        response = client.get("/caseload/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="session.expired_idle", actor=worker).exists()


def test_refusals_lock_nobody_out_and_a_password_lockout_does_not_stop_sso(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    provider.person = Person(sub="stranger-1", email="jo.bloggs@elsewhere.example")
    for _ in range(django_settings.AXES_FAILURE_LIMIT + 1):
        sso(client, provider)
    assert not AccessAttempt.objects.exists()
    # Five wrong passwords lock the worker's username, not their single sign-on.
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": worker.username, "password": "wrong one!"})
    provider.person = Person(sub="provider-id-1", email=EMAIL)
    assert sso(client, provider)["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == worker.pk


def test_passwords_still_sign_in_with_single_sign_on_on(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    response = client.post("/accounts/login/", {"username": worker.username, "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="sign_in.succeeded").detail == {}


# Multi-factor sign-in after single sign-on


@pytest.fixture
def mfa_on(settings: Any, worker: User) -> TOTPDevice:
    settings.MFA_REQUIRED = True
    return TOTPDevice.objects.create(user=worker, name="Authenticator app", confirmed=True)


@pytest.mark.parametrize("amr", [["pwd", "mfa"], ["pwd", "otp"], ["hwk"]])
def test_pathways_asks_its_own_code_after_sso_by_default(
    client: Client, provider: FakeProvider, mfa_on: TOTPDevice, amr: list[str]
) -> None:
    provider.person = Person(sub="provider-id-1", email=EMAIL, amr=amr)
    sso(client, provider)
    response = client.get("/caseload/")
    assert response["Location"].startswith("/accounts/mfa/verify/")


@pytest.mark.parametrize(
    ("amr", "accepted"),
    [
        (["pwd", "mfa"], True),
        (["pwd", "otp"], True),
        (["hwk"], True),
        (["pwd"], False),
        (None, False),
        ("mfa", False),  # not a list, as RFC 8176 says it must be
    ],
)
def test_the_providers_mfa_stands_in_when_the_setting_says_and_the_amr_shows_it(
    client: Client,
    provider: FakeProvider,
    mfa_on: TOTPDevice,
    settings: Any,
    worker: User,
    amr: Any,
    accepted: bool,
) -> None:
    settings.OIDC_PROVIDER_ENFORCES_MFA = True
    provider.person = Person(sub="provider-id-1", email=EMAIL, amr=amr)
    sso(client, provider)
    response = client.get("/caseload/")
    if accepted:
        assert response.status_code == 200
    else:
        assert response["Location"].startswith("/accounts/mfa/verify/")
    signed_in = AuditEvent.objects.get(action="sign_in.succeeded")
    assert signed_in.detail == {"method": "oidc", "provider_mfa": accepted}
    # Switched off later: the code is asked again in the same session.
    settings.OIDC_PROVIDER_ENFORCES_MFA = False
    assert client.get("/caseload/")["Location"].startswith("/accounts/mfa/verify/")


# The sign-in page, and single sign-on switched off


def test_the_sign_in_page_offers_the_provider(client: Client, provider: FakeProvider) -> None:
    page = client.get("/accounts/login/", {"next": "/referrals/"}).content.decode()
    assert (
        '<a href="/accounts/sso/start/?next=/referrals/" role="button" draggable="false" '
        'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
        "Sign in with Test Council</a>"
    ) in page


def test_without_configuration_there_is_no_button_no_backend_and_no_pages(
    client: Client, worker: User
) -> None:
    assert not django_settings.OIDC_RP_CLIENT_ID
    assert django_settings.OIDC_BACKEND not in django_settings.AUTHENTICATION_BACKENDS
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/sso/start/").status_code == 404
    callback = client.get("/accounts/sso/callback/", {"code": "a", "state": "b"})
    assert callback.status_code == 404
    # Even with the backend listed, it signs nobody in while the client id is unset.
    request = RequestFactory().get("/accounts/sso/callback/", {"code": "a", "state": "b"})
    assert PathwaysOIDCBackend().authenticate(request) is None


def test_switched_on_but_incomplete_fails_the_system_checks(settings: Any) -> None:
    settings.OIDC_RP_CLIENT_ID = "pathways"
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    errors = [message for message in run_checks() if message.id == "pathways.E001"]
    assert errors and "OIDC_RP_CLIENT_SECRET" in errors[0].msg
    assert any("OIDC_OP_JWKS_ENDPOINT" in error.msg for error in errors)
    assert any(message.id == "pathways.E002" for message in run_checks())


def test_with_single_sign_on_on_its_pages_answer_everyone(
    client: Client, provider: FakeProvider, worker: User
) -> None:
    """What the access matrix declares for the two pages when single sign-on is on: both
    are for anyone; start goes to the provider, a bare callback back to sign in."""
    for signed_in in (False, True):
        if signed_in:
            client.force_login(worker)
        start = client.get("/accounts/sso/start/")
        assert start.status_code == 302 and start["Location"].startswith(provider.url)
        assert client.get("/accounts/sso/callback/")["Location"] == "/accounts/login/"
        assert client.post("/accounts/sso/start/").status_code == 405
