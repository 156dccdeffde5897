"""Reference data (reasons, patches, areas) is retired from a date, never deleted."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone


def in_use(prefix: str = "", *, on: datetime.date | None = None) -> Q:
    """Rows not yet retired on ``on`` (today by default)."""
    day = on or timezone.localdate()
    return Q(**{f"{prefix}retired_at__isnull": True}) | Q(**{f"{prefix}retired_at__gt": day})


def is_retired(row: Any, *, on: datetime.date | None = None) -> bool:
    day = on or timezone.localdate()
    return row.retired_at is not None and row.retired_at <= day
