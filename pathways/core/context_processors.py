"""Template context shared by every page: the navigation for the signed-in user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from pathways.accounts import mfa
from pathways.core.access import Action, can
from pathways.core.middleware import idle_seconds_left

# (label, url name, the action that page needs). Order is the order on screen. Each page's
# view is guarded by the same action (``core.http.requires``), so the menu never offers a
# page that would answer 404.
_NAV: list[tuple[str, str, Action]] = [
    ("Caseload", "referrals:caseload", Action.SEE_CASELOAD),
    ("To do", "contacts:todo", Action.SEE_TODO),
    ("Referrals", "referrals:list", Action.SEE_REFERRALS),
    ("Waiting list", "referrals:waiting_list", Action.SEE_WAITING_LIST),
    ("Placements", "placements:list", Action.MANAGE_PLACEMENTS),
    ("Employers", "employers:list", Action.MANAGE_EMPLOYERS),
    ("Opportunities", "employers:opportunities", Action.MANAGE_EMPLOYERS),
    ("Find a person", "participants:find", Action.FIND_PEOPLE),
    ("Make a referral", "referrals:create", Action.REFER),
    ("Service overview", "referrals:overview", Action.SEE_SERVICE_FIGURES),
    ("Outcomes", "outcomes:dashboard", Action.SEE_SERVICE_FIGURES),
    ("Board reports", "reports:board_list", Action.SEE_REPORTS),
    ("Probation data", "imports:home", Action.IMPORT_PROBATION_DATA),
    ("Administration", "admin:index", Action.ADMINISTER),
    ("Refusals flagged", "refusal_flags", Action.ADMINISTER),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Between password and code there is nothing to go to but sign-out.
    verified = not settings.MFA_REQUIRED or mfa.verified(request)
    items: list[dict[str, Any]] = [
        {"label": label, "url": reverse(name), "active": False}
        for label, name, action in _NAV
        if verified and can(user, action)
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
