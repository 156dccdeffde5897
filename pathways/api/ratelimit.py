"""Calls per client in a fixed window, counted in Django's cache. The numbers are the
settings ``API_RATE_LIMIT`` and ``API_RATE_WINDOW`` (config/settings.py), nowhere else."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def seconds_to_wait(client_id: int, *, now: float | None = None) -> int:
    """Count this call; 0 when it may go ahead, else the seconds until the client's window
    ends (the ``Retry-After``)."""
    window = max(1, int(settings.API_RATE_WINDOW))
    moment = time.time() if now is None else now
    started = int(moment // window) * window
    key = f"api-rate:{client_id}:{started}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key lapsed between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= int(settings.API_RATE_LIMIT):
        return 0
    return max(1, int(started + window - moment + 0.999))
