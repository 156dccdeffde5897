"""System checks: single sign-on switched on but not fully configured fails at start-up
(``manage.py check``, ``migrate``, ``runserver``), not at someone's first sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

NEEDED = (
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
)


@register(Tags.security)
def oidc_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not settings.OIDC_RP_CLIENT_ID:
        return []
    needed = list(NEEDED)
    if settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
        needed.append("OIDC_OP_JWKS_ENDPOINT")
    errors: list[CheckMessage] = [
        Error(
            f"Single sign-on is on (OIDC_RP_CLIENT_ID is set) but {name} is empty.",
            hint="Set it in the environment, or unset OIDC_RP_CLIENT_ID.",
            id="pathways.E001",
        )
        for name in needed
        if not getattr(settings, name)
    ]
    if settings.OIDC_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        errors.append(
            Error(
                "Single sign-on is on but its backend is not in AUTHENTICATION_BACKENDS.",
                id="pathways.E002",
            )
        )
    return errors
