"""Template context shared by every page: the navigation for the signed-in user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from pathways.accounts import mfa
from pathways.core.access import Role, role_of
from pathways.core.middleware import idle_seconds_left

# (label, url name, roles that see it). Order is the order on screen.
_NAV: list[tuple[str, str, frozenset[Role]]] = [
    ("Caseload", "referrals:caseload", frozenset({Role.WORKER})),
    ("To do", "contacts:todo", frozenset({Role.WORKER, Role.MANAGER})),
    ("Referrals", "referrals:list", frozenset({Role.REFERRER, Role.WORKER, Role.MANAGER})),
    ("Waiting list", "referrals:waiting_list", frozenset({Role.WORKER, Role.MANAGER})),
    ("Placements", "placements:list", frozenset({Role.WORKER, Role.MANAGER})),
    ("Employers", "employers:list", frozenset({Role.WORKER, Role.MANAGER})),
    ("Opportunities", "employers:opportunities", frozenset({Role.WORKER, Role.MANAGER})),
    ("Find a person", "participants:find", frozenset({Role.REFERRER, Role.WORKER, Role.MANAGER})),
    ("Make a referral", "referrals:create", frozenset({Role.REFERRER, Role.MANAGER})),
    ("Service overview", "referrals:overview", frozenset({Role.MANAGER, Role.COMMISSIONER})),
    ("Outcomes", "outcomes:dashboard", frozenset({Role.MANAGER, Role.COMMISSIONER})),
    ("Board reports", "reports:board_list", frozenset({Role.MANAGER, Role.COMMISSIONER})),
    ("Probation data", "imports:home", frozenset({Role.MANAGER})),
    ("Administration", "admin:index", frozenset({Role.ADMIN})),
    ("Refusals flagged", "refusal_flags", frozenset({Role.ADMIN})),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = role_of(user)
    if settings.MFA_REQUIRED and not mfa.verified(request):
        role = None  # between password and code: nothing to go to but sign-out
    items: list[dict[str, Any]] = [
        {"label": label, "url": reverse(name), "active": False}
        for label, name, roles in _NAV
        if role in roles
    ]
    # The most specific entry is the active one (/employers/opportunities/ over /employers/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(str(item["url"])))["active"] = True
    return {
        "nav_items": items,
        # For the timeout warning (static/js/session-timeout.js).
        "session_seconds_left": idle_seconds_left(request.session),
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING,
    }
