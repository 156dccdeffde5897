"""When an opportunity is closed: a worker closed it, or its closing date has passed
(rolling: never). These are the facts employers own; the opportunity's status (open /
filled / closed) also needs the places taken, which placements own
(placements/opportunities.py).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from pathways.employers.models import Opportunity


def is_closed(opportunity: Opportunity, today: datetime.date | None = None) -> bool:
    day = today or timezone.localdate()
    return opportunity.closed_at is not None or (
        opportunity.closing_date is not None and opportunity.closing_date < day
    )


def closed_q(today: datetime.date | None = None) -> Q:
    day = today or timezone.localdate()
    return Q(closed_at__isnull=False) | Q(closing_date__lt=day)
