"""Sign-in pages of Pathways beyond Django's own: staying signed in, multi-factor sign-in."""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from pathways.core.middleware import LAST_SEEN, idle_seconds_left


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in" on the timeout warning: renews the idle time, and says how long the
    session now has (the 12 hours from sign-in still apply)."""
    request.session[LAST_SEEN] = int(time.time())
    return JsonResponse({"seconds_left": idle_seconds_left(request.session)})
