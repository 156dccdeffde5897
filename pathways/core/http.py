"""Request typing for signed-in pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from pathways.accounts.models import Service, User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a real user."""

    user: User


def service_of(user: User) -> Service:
    """The user's service; a user without one has no service pages."""
    if user.service is None:
        raise Http404("Not found")
    return user.service
