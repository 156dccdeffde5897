"""Calls per client in a fixed window, counted in the database (``CallWindow``), so every
web process counts the same calls. The numbers are the settings ``API_RATE_LIMIT`` and
``API_RATE_WINDOW`` (config/settings.py), nowhere else."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from pathways.api.models import CallWindow


def _count(client_id: int, started: int) -> int:
    """Add this call to the client's window and return the window's calls (one row, its
    update taking the row's lock: two processes never both read the same count)."""
    window = CallWindow.objects.filter(client_id=client_id, started=started)
    with transaction.atomic():
        if window.update(calls=F("calls") + 1):
            return window.values_list("calls", flat=True).get()
    try:
        with transaction.atomic():
            CallWindow.objects.create(client_id=client_id, started=started, calls=1)
            CallWindow.objects.filter(client_id=client_id, started__lt=started).delete()
            return 1
    except IntegrityError:  # another process opened the window first
        with transaction.atomic():
            window.update(calls=F("calls") + 1)
            return window.values_list("calls", flat=True).get()


def seconds_to_wait(client_id: int, *, now: float | None = None) -> int:
    """Count this call; 0 when it may go ahead, else the seconds until the client's window
    ends (the ``Retry-After``)."""
    window = max(1, int(settings.API_RATE_WINDOW))
    moment = time.time() if now is None else now
    started = int(moment // window) * window
    if _count(client_id, started) <= int(settings.API_RATE_LIMIT):
        return 0
    return max(1, int(started + window - moment + 0.999))
