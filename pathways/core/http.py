"""Request typing for signed-in pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from pathways.accounts.models import Service, User
from pathways.core.access import Action, can
from pathways.core.audit import audit_refusal
from pathways.core.roles import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a real user."""

    user: User


def service_of(user: User) -> Service:
    """The user's service; a user without one has no service pages."""
    if user.service is None:
        raise Http404("Not found")
    return user.service


def services_overseen(user: User) -> list[Service]:
    """The services whose figures the user sees: their own first, then, for a commissioner,
    those they oversee beside it (``User.oversees``: a region, a national view), by name.
    The one rule for which services' figures a user may choose."""
    own = [user.service] if user.service is not None else []
    if user.role != Role.COMMISSIONER:
        return own
    others = user.oversees.exclude(pk__in=[service.pk for service in own]).order_by("name")
    return [*own, *others]


def service_chosen(user: User, slug: str) -> Service:
    """The service of ``slug`` among those the user oversees (their own when none is
    asked); any other slug is not found."""
    services = services_overseen(user)
    if not slug:
        return service_of(user)
    found = next((service for service in services if service.slug == slug), None)
    if found is None:
        raise Http404("Not found")
    return found


def refuse(request: AuthenticatedHttpRequest) -> NoReturn:
    """A page the user's role may not use does not exist for them: 404, audited."""
    match = request.resolver_match
    audit_refusal(
        actor=request.user,
        object_type=f"page:{match.view_name if match else request.path}",
        object_id=(match.kwargs.get("pk", "") if match else ""),
    )
    raise Http404("Not found")


def requires(action: Action) -> Callable[[View], View]:
    """The one guard of a page: signed in (else the sign-in page), and the role may take
    ``action`` (else 404, audited by ``refuse``). Whether a record is in the user's scope
    is the selector's business, not this guard's. Put it last, right above the ``def``:
    below ``login_required`` and any method decorator, so that a page answers as every page
    does (not signed in, then wrong method (405), then the role)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, action):
                refuse(request)
            return view(request, *args, **kwargs)

        return login_required(guarded)  # type: ignore[return-value]

    return decorate
