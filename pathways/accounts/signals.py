"""Sign-in events, audited. Signals are used here for auditing and session bookkeeping
only (STYLE.md: never for business logic).

A failed sign-in names the account only when the username matches one (its id); what was
typed is never stored, because people mistype their own names into the username box.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from pathways.accounts import oidc
from pathways.core.audit import audit_security
from pathways.core.middleware import start_session_clock


@receiver(user_logged_in, dispatch_uid="pathways_signed_in")
def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)
    # Single sign-on says so (pathways.accounts.oidc); a password sign-in has no detail.
    audit_security(
        actor=user, action="sign_in.succeeded", detail=getattr(request, oidc.SIGN_IN, None)
    )


@receiver(user_logged_out, dispatch_uid="pathways_signed_out")
def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_security(actor=user, action="sign_in.signed_out")


@receiver(user_login_failed, dispatch_uid="pathways_sign_in_failed")
def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if "username" not in credentials:
        return  # single sign-on: pathways.accounts.oidc audits its refusals, with the reason
    username = credentials.get("username") or ""
    user_model = get_user_model()
    known = (
        user_model._default_manager.filter(username=username).values_list("pk", flat=True).first()
    )
    audit_security(
        actor=None,
        action="sign_in.failed",
        user_id=known,
        detail={"known_account": known is not None},
    )
