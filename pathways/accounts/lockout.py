"""Sign-in lockout (django-axes): the key it counts failures by, and the lockout audit.

Failures are counted per username, so a locked username answers the same way whether or
not an account has it. What was typed is never stored: axes stores and logs a keyed hash
of it (``username_key``), so a name typed into the username box stays out of the database
and the logs.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from pathways.core.audit import audit_security


def typed_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    if request is not None and request.method == "POST":
        return str(request.POST.get("username", ""))
    return ""


def username_key(
    request: HttpRequest | None, credentials: dict[str, Any] | None = None
) -> str | None:
    """AXES_USERNAME_CALLABLE: a keyed hash of the username typed, never the username.

    None when nothing was typed (single sign-on): axes then counts nothing, so refused
    single sign-ons cannot lock one shared empty username, and with it everyone's.
    """
    typed = typed_username(request, credentials)
    if not typed:
        return None
    return "h:" + salted_hmac("pathways.sign-in-lockout", typed).hexdigest()[:32]


@receiver(user_locked_out, dispatch_uid="pathways_locked_out")
def locked_out(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    typed = typed_username(request, None)
    known = (
        get_user_model()
        ._default_manager.filter(username=typed)
        .values_list("pk", flat=True)
        .first()
        if typed
        else None
    )
    audit_security(
        actor=None,
        action="sign_in.locked_out",
        user_id=known,
        detail={"known_account": known is not None},
    )
