"""django-oauth-toolkit, fitted to Pathways' clients: a token is issued only to a
registered client that is not suspended, only for the scopes the administrator gave it
(all of them when it asks for none), and its issue is audited as that client."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from pathways.api.models import ApiClient
from pathways.api.scopes import SCOPES
from pathways.core.audit import audit_security

TOKEN_ISSUED = "api.token_issued"  # noqa: S105 - audit actions, not secrets
TOKEN_REFUSED = "api.token_refused"  # noqa: S105


def client_of(application: Any) -> ApiClient | None:
    """The registered client of an OAuth2 application, or None (an application made any
    other way is no client of the API)."""
    if application is None:
        return None
    return ApiClient.objects.filter(application_id=application.pk).first()


class ClientScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return SCOPES

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = client_of(application)
        if client is None or client.suspended:
            return []
        return [scope for scope in client.scopes if scope in SCOPES]

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return self.get_available_scopes(application, request)


class Validator(OAuth2Validator):
    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = client_of(request.client)
        if client is None or client.suspended:
            if client is not None:
                audit_security(actor=client.account, action=TOKEN_REFUSED)
            return False
        return True

    def save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        saved = super().save_bearer_token(token, request, *args, **kwargs)
        client = client_of(request.client)
        if client is not None:
            audit_security(
                actor=client.account,
                action=TOKEN_ISSUED,
                detail={"client": client.pk, "scopes": sorted(str(token["scope"]).split())},
            )
        return saved
