"""Single sign-on through OpenID Connect (mozilla-django-oidc), off unless configured.

With ``OIDC_RP_CLIENT_ID`` set, the sign-in page offers "Sign in with <provider>": a link
to ``SignInStart``, which sends the browser to the provider with a state, a nonce and a
PKCE challenge kept in the session; the provider sends it back to ``SignInCallback``,
which checks the state and asks ``PathwaysOIDCBackend`` (through Django's ``authenticate``,
after django-axes's backend) to exchange the code and check the ID token. Without it both
pages answer 404, as a page does to a role that may not use it.

Roles stay in Pathways: the backend never creates or changes an account (beyond binding the
provider's subject id). It signs in an existing *active* account, found by the subject id
bound at the person's first sign-in through the provider, or, before that, by the email
address the provider says it has verified (decision 0008 says why). Every refusal is
audited as ``sign_in.sso_refused`` with a reason and, where an account is concerned, its
id; never with an email address or a name. The page says the same thing whatever the
reason, so it reveals nothing about who has an account.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from pathways.accounts.mfa import PROVIDER_MFA
from pathways.accounts.models import User
from pathways.core.audit import audit_security
from pathways.core.http import refuse

LOGGER = logging.getLogger(__name__)

# Set on the request by the backend for the callback view and the sign-in audit.
REFUSAL = "pathways_sso_refusal"
SIGN_IN = "pathways_sso_sign_in"

REFUSED_MESSAGE = (
    "You could not be signed in with {provider}. Try again, or sign in with your Pathways "
    "username and password. If this keeps happening, ask your Pathways administrator to "
    "check your account."
)


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def provider_name() -> str | None:
    """The name on the sign-in button, or None when single sign-on is off."""
    return settings.OIDC_PROVIDER_NAME if enabled() else None


class Refused(Exception):
    """Why a single sign-on was refused: a short reason for the audit, and the account
    concerned when there is one (its id only)."""

    def __init__(self, reason: str, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


def multi_factor(id_token: dict[str, Any]) -> bool:
    """The ID token's ``amr`` (RFC 8176) names a way of signing in that is multi-factor."""
    amr = id_token.get("amr")
    if not isinstance(amr, list):
        return False
    accepted = set(settings.OIDC_MFA_AMR_VALUES)
    return any(isinstance(value, str) and value in accepted for value in amr)


def email_verified(claims: dict[str, Any]) -> bool:
    """``email_verified`` is true, or the provider does not send it (some never do)."""
    if "email_verified" not in claims:
        return True
    value = claims["email_verified"]
    return value is True or (isinstance(value, str) and value.lower() == "true")


class PathwaysOIDCBackend(OIDCAuthenticationBackend):
    """Signs in an existing active account; never creates one (``OIDC_CREATE_USER``)."""

    UserModel: type[User]

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Password sign-ins reach here too (after ModelBackend): no code, not ours.
        if request is None or not enabled():
            return None
        if not (request.GET.get("code") and request.GET.get("state")):
            return None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except Refused as refusal:
            setattr(request, REFUSAL, refusal)
            return None
        except (requests.RequestException, ValueError, KeyError) as error:
            # The provider could not be reached or answered wrongly. Only the kind of error
            # is logged: a token endpoint's error text can echo what was sent.
            LOGGER.warning("Single sign-on: the provider failed (%s)", type(error).__name__)
            setattr(request, REFUSAL, Refused("provider"))
            return None
        except (jwt.PyJWTError, SuspiciousOperation) as error:
            LOGGER.warning("Single sign-on: the ID token was refused (%s)", type(error).__name__)
            setattr(request, REFUSAL, Refused("token"))
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature, the algorithm, the expiry and the nonce; the
        audience (this client), the expiry's presence and the issuer are checked here."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self.OIDC_RP_CLIENT_ID not in audiences:
            raise Refused("token")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise Refused("token")
        if "exp" not in payload:
            raise Refused("token")
        if settings.OIDC_OP_ISSUER and payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise Refused("token")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """Find the account; never create one. ``payload`` is the checked ID token."""
        claims: dict[str, Any] = self.get_userinfo(access_token, id_token, payload)
        subject = payload.get("sub")
        # The user info must be about the person the ID token is about (OIDC core 5.3.2).
        if not isinstance(subject, str) or not subject or claims.get("sub") != subject:
            raise Refused("subject")
        user = self._account(subject, claims)
        setattr(
            self.request,
            SIGN_IN,
            {
                "method": "oidc",
                "provider_mfa": bool(settings.OIDC_PROVIDER_ENFORCES_MFA and multi_factor(payload)),
            },
        )
        return user

    def _account(self, subject: str, claims: dict[str, Any]) -> User:
        accounts = self.UserModel._default_manager
        bound = accounts.filter(oidc_subject=subject).first()
        if bound is not None:
            if not bound.is_active:
                raise Refused("inactive", bound.pk)
            return bound
        email = claims.get("email")
        if not isinstance(email, str) or not email.strip():
            raise Refused("no_email")
        if not email_verified(claims):
            raise Refused("email_unverified")
        matching = list(accounts.filter(email__iexact=email.strip()).order_by("pk"))
        active = [user for user in matching if user.is_active]
        if not matching:
            raise Refused("unknown_account")
        if not active:
            raise Refused("inactive", matching[0].pk if len(matching) == 1 else None)
        if len(active) > 1:
            raise Refused("ambiguous")
        [user] = active
        if user.oidc_subject:
            # Bound to another of the provider's accounts: an email address that has moved
            # to someone else does not bring this account with it.
            raise Refused("subject_mismatch", user.pk)
        try:
            with transaction.atomic():
                bound_now = accounts.filter(pk=user.pk, oidc_subject="").update(
                    oidc_subject=subject
                )
                if bound_now != 1:
                    raise Refused("subject_mismatch", user.pk)
                audit_security(actor=user, action="sign_in.sso_bound")
        except IntegrityError:
            raise Refused("subject_mismatch", user.pk) from None
        user.oidc_subject = subject
        return user

    def get_user(self, user_id: int) -> User | None:
        """The session's user, while their account is active (the library's own does not
        ask; Django's ``ModelBackend`` does)."""
        user: User | None = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class SignInStart(OIDCAuthenticationRequestView):
    """GET /accounts/sso/start/: to the provider (a link, so the CSP's form-action, which
    browsers apply to a form's redirects too, need not name the provider)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            refuse(request)  # type: ignore[arg-type]
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response


class SignInCallback(OIDCAuthenticationCallbackView):
    """GET /accounts/sso/callback/: back from the provider, signed in or refused."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            refuse(request)  # type: ignore[arg-type]
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state")
        states = request.session.get("oidc_states")
        if request.GET.get("error"):
            # The provider did not sign the person in (they cancelled, or it refused).
            setattr(request, REFUSAL, Refused("provider_error"))
        elif request.GET.get("code") and not (isinstance(states, dict) and state in states):
            # Not an answer to a sign-in this browser started (forged, replayed or stale).
            setattr(request, REFUSAL, Refused("state"))
            return self.login_failure()
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        request = self.request
        refusal: Refused = getattr(request, REFUSAL, None) or Refused("incomplete")
        audit_security(
            actor=request.user,
            action="sign_in.sso_refused",
            user_id=refusal.user_id,
            detail={"reason": refusal.reason},
        )
        LOGGER.info("Single sign-on refused (%s)", refusal.reason)
        messages.error(request, REFUSED_MESSAGE.format(provider=settings.OIDC_PROVIDER_NAME))
        return HttpResponseRedirect(settings.LOGIN_URL)

    def login_success(self) -> HttpResponse:
        # auth.login gives the session a new id; the sign-in is audited and the session's
        # clock started by pathways.accounts.signals, as for a password.
        response: HttpResponse = super().login_success()
        session = self.request.session
        session.pop("oidc_id_token_expiration", None)  # only the library's refresh uses it
        if getattr(self.request, SIGN_IN, {}).get("provider_mfa"):
            session[PROVIDER_MFA] = True
        return response
