"""Middleware shared by every page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from pathways.core.tables import wrap_tables

# Session keys: when the user signed in, and when they were last seen (Unix seconds).
SIGNED_IN_AT = "pathways_signed_in_at"
LAST_SEEN = "pathways_last_seen"
# The last-seen time is written at most this often (seconds), to spare a session write on
# every request; pages are told the exact time left (context_processors.navigation).
LAST_SEEN_RESOLUTION = 60
# The page that says the seconds left (accounts.views.session_status): asking is not
# activity, so its requests never renew the idle time.
SESSION_STATUS_PATH = "/accounts/session/"
# Ask the browser not to use features no page of Pathways needs.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class TableScrollMiddleware:
    """Each data table of an HTML page in its own scroll region (pathways/core/tables.py), so
    no page is wider than a 320 px screen (WCAG 1.4.10)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and not response.get("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            page = response.content.decode(charset)
            wrapped = wrap_tables(page)
            if wrapped is not page:
                response.content = wrapped.encode(charset)
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
        return response


class PrivateCacheMiddleware:
    """Pages for signed-in users hold personal data: no browser or proxy may keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


def start_session_clock(session: Any) -> None:
    """At sign-in: the session's 12 hours and its idle time start now."""
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def idle_seconds_left(session: Any) -> int:
    """Seconds before the server ends this session for want of activity."""
    now = int(time.time())
    last_seen = int(session.get(LAST_SEEN, now))
    signed_in_at = int(session.get(SIGNED_IN_AT, now))
    return max(
        0,
        min(
            settings.SESSION_IDLE_TIMEOUT - (now - last_seen),
            settings.SESSION_COOKIE_AGE - (now - signed_in_at),
        ),
    )


class SessionTimeoutMiddleware:
    """End a session after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and
    ``SESSION_COOKIE_AGE`` seconds after sign-in whatever the activity.

    This is the server's rule and holds without JavaScript; the timeout warning on the page
    (static/js/session-timeout.js) only offers to stay signed in before it applies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = int(session.setdefault(SIGNED_IN_AT, now))
            last_seen = int(session.get(LAST_SEEN, now))
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            if idle or now - signed_in_at > settings.SESSION_COOKIE_AGE:
                return self._expire(request, idle=idle)
            if request.path == SESSION_STATUS_PATH:
                pass  # asking how long is left is not activity
            elif now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest, *, idle: bool) -> HttpResponse:
        from pathways.core.audit import audit_security

        audit_security(
            actor=request.user, action="session.expired_idle" if idle else "session.expired"
        )
        logout(request)
        idle_for = settings.SESSION_IDLE_TIMEOUT
        duration = f"{idle_for // 60} minutes" if idle_for >= 120 else f"{idle_for} seconds"
        messages.info(
            request,
            f"You were signed out because you had not done anything for {duration}."
            if idle
            else "You were signed out because you had been signed in for the longest time "
            "allowed. Sign in again to carry on.",
        )
        target = settings.LOGIN_URL
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
