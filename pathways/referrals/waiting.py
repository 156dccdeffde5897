"""How long the waiting list is likely to wait: one simple, explained estimate.

No planned end of support is recorded, so the estimate is the past rate alone: places
freed by support ending in the last ``RATE_WEEKS`` weeks. At that rate one place frees
every ``RATE_WEEKS * 7 / ended`` days, so the person at position ``n`` on the list is
likely to have a place in about ``n`` times that. The page says so in words
(``PlaceEstimate.explanation``).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils import timezone

from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus, status_q

RATE_WEEKS = 13


@dataclass(frozen=True)
class PlaceEstimate:
    ended: int  # people whose support ended in the last RATE_WEEKS weeks
    weeks: int = RATE_WEEKS

    def days_until_place(self, position: int) -> int | None:
        """Days until the person at ``position`` is likely to have a place; None when no
        support ended in the window (no rate to go by)."""
        if self.ended <= 0:
            return None
        return math.ceil(position * self.weeks * 7 / self.ended)

    @property
    def explanation(self) -> str:
        if self.ended <= 0:
            return (
                f"No one's support ended in the last {self.weeks} weeks, so there is no rate "
                "to estimate when a place frees."
            )
        return (
            f"Support ended for {self.ended} "
            f"{'person' if self.ended == 1 else 'people'} in the last {self.weeks} weeks. "
            "At that rate, the person at position n on the list is likely to have a place "
            f"in about n \u00d7 {self.weeks * 7 / self.ended:.0f} days. "
            "It is an estimate: no end of support is planned in the record."
        )


def place_estimate(service_id: int, now: datetime.datetime | None = None) -> PlaceEstimate:
    """The service's past rate of places freed (one count in the database)."""
    since = (now or timezone.now()) - datetime.timedelta(weeks=RATE_WEEKS)
    ended = (
        Referral.objects.filter(service_id=service_id, ended_at__gte=since)
        .filter(status_q(ReferralStatus.ENDED))
        .count()
    )
    return PlaceEstimate(ended=ended)
