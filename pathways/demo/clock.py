"""The demo's moved clock: every demo record is made through the real services with the
clock set to the moment it would have happened, so its dates, audit events and figures
are the ones real use would give."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


@contextmanager
def clock_at(when: datetime.datetime) -> Iterator[None]:
    """Within the block, ``django.utils.timezone.now()`` returns ``when``. Blocks nest:
    leaving an inner one puts back the outer one's moment."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield
