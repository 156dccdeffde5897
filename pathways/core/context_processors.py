"""Template context shared by every page: the navigation for the signed-in user's role."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from pathways.accounts import mfa
from pathways.core.access import Action, can
from pathways.core.middleware import idle_seconds_left

# (label, url name, the action that page needs, the paths that belong to its section beyond
# its own URL). Order is the order on screen, most used first. Each page's view is guarded
# by the same action (``core.http.requires``), so the menu never offers a page that would
# answer 404.
_NAV: list[tuple[str, str, Action, tuple[str, ...]]] = [
    # A person's records (plan, progress, contacts, end of support) are casework.
    (
        "Caseload",
        "referrals:caseload",
        Action.SEE_CASELOAD,
        (
            r"/referrals/\d+/(plan|progress|contacts|onward|end)/",
            r"/participants/\d+/",
            r"/placements/people/",
        ),
    ),
    ("To do", "contacts:todo", Action.SEE_TODO, ()),
    ("Referrals", "referrals:list", Action.SEE_REFERRALS, ()),
    ("Waiting list", "referrals:waiting_list", Action.SEE_WAITING_LIST, ()),
    ("Find a person", "participants:find", Action.FIND_PEOPLE, ()),
    ("Placements", "placements:list", Action.MANAGE_PLACEMENTS, ()),
    ("Employers", "employers:list", Action.MANAGE_EMPLOYERS, ()),
    ("Opportunities", "employers:opportunities", Action.MANAGE_EMPLOYERS, ()),
    ("Summary", "reports:home", Action.SEE_REPORTS, ()),
    ("Outcomes", "outcomes:dashboard", Action.SEE_SERVICE_FIGURES, ()),
    ("Board reports", "reports:board_list", Action.SEE_REPORTS, ()),
    ("Service overview", "referrals:overview", Action.SEE_SERVICE_FIGURES, ()),
    ("Make a referral", "referrals:create", Action.REFER, ()),
    ("Probation data", "imports:home", Action.IMPORT_PROBATION_DATA, ()),
    ("Administration", "admin:index", Action.ADMINISTER, ()),
    ("Refusals flagged", "refusal_flags", Action.ADMINISTER, ()),
    ("Feedback", "feedback_received", Action.SEE_FEEDBACK, ()),
    ("API clients", "api_clients:list", Action.ADMINISTER, ()),
]

# The GOV.UK service navigation holds at most this many items; past it, the last place goes
# to "More", a page of its own listing the rest.
MAX_ITEMS = 7


def _reach(path: str, url: str, sections: tuple[str, ...]) -> int:
    """How much of the path this entry's section covers (0: none): its URL as a prefix, or
    one of its section's patterns from the start of the path."""
    lengths = [len(url)] if path.startswith(url) else []
    lengths += [found.end() for found in (re.match(p, path) for p in sections) if found]
    return max(lengths, default=0)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": []}
    # Between password and code there is nothing to go to but sign-out.
    verified = not settings.MFA_REQUIRED or mfa.verified(request)
    path = request.path
    entries: list[dict[str, Any]] = [
        {"label": label, "url": url, "active": False, "reach": _reach(path, url, sections)}
        for label, url, sections in (
            (label, reverse(name), sections)
            for label, name, action, sections in _NAV
            if verified and can(user, action)
        )
    ]
    items, more = entries, []
    if len(entries) > MAX_ITEMS:
        items, more = entries[: MAX_ITEMS - 1], entries[MAX_ITEMS - 1 :]
        more_url = reverse("more")
        items = [
            *items,
            {
                "label": "More",
                "url": more_url,
                "active": False,
                "reach": max(
                    [len(more_url) if path.startswith(more_url) else 0]
                    + [entry["reach"] for entry in more]
                ),
            },
        ]
    # The entry whose section covers most of the path is the current one (a plan page is
    # the caseload's, /employers/opportunities/ is Opportunities' rather than Employers').
    current = max(items, key=lambda item: item["reach"], default=None)
    if current is not None and current["reach"]:
        current["active"] = True
    return {
        "nav_items": items,
        "nav_more": more,
        # For the timeout warning (static/js/session-timeout.js).
        "session_seconds_left": idle_seconds_left(request.session),
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING,
    }
