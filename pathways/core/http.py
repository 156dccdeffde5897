"""Request typing for signed-in pages."""

from __future__ import annotations

from typing import NoReturn

from django.http import Http404, HttpRequest

from pathways.accounts.models import Service, User
from pathways.core.audit import audit_refusal


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a real user."""

    user: User


def service_of(user: User) -> Service:
    """The user's service; a user without one has no service pages."""
    if user.service is None:
        raise Http404("Not found")
    return user.service


def refuse(request: AuthenticatedHttpRequest) -> NoReturn:
    """A page the user's role may not use does not exist for them: 404, audited."""
    match = request.resolver_match
    audit_refusal(
        actor=request.user,
        object_type=f"page:{match.view_name if match else request.path}",
        object_id=(match.kwargs.get("pk", "") if match else ""),
    )
    raise Http404("Not found")
