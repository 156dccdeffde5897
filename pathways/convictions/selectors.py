"""Reads of convictions: the person's list with what each means today, and what a check of
each level shows (in Python for one person, as a filter for lists; the same rule:
pathways.rehabilitation.filtering.shown)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from pathways.accounts.models import User
from pathways.convictions.models import Conviction
from pathways.core.access import Action, can
from pathways.employers.models import Opportunity
from pathways.participants.models import Participant
from pathways.referrals.access import participants_for
from pathways.rehabilitation.filtering import SHOWS_SPENT, CheckLevel, shown


@dataclass(frozen=True)
class ConvictionToday:
    conviction: Conviction
    spent: bool
    # The first day spent, when there is one and it is still to come.
    disclose_until: dt.date | None

    @property
    def never(self) -> bool:
        return self.conviction.spent_state == "never"

    @property
    def indefinite(self) -> bool:
        return self.conviction.spent_state == "indefinite"


def convictions_today(convictions: Iterable[Conviction], today: dt.date) -> list[ConvictionToday]:
    return [
        ConvictionToday(
            conviction=c,
            spent=c.is_spent(today),
            disclose_until=None if c.is_spent(today) else c.spent_on,
        )
        for c in convictions
    ]


def convictions_of(user: User, participant: Participant) -> list[ConvictionToday]:
    """The person's convictions for the roles that record them (criminal offence data,
    shown no wider than needed), if the person is in the user's scope; else none."""
    if not can(user, Action.RECORD_OUTCOMES):
        return []
    if not participants_for(user).filter(pk=participant.pk).exists():
        return []
    rows = (
        Conviction.objects.filter(participant=participant)
        .select_related("offence_category", "recorded_by")
        .prefetch_related("sentences")
    )
    return convictions_today(rows, timezone.localdate())


def conviction_section(user: User, participant: Participant) -> dict[str, object]:
    """The context of templates/convictions/_person_convictions.html."""
    rows = convictions_of(user, participant)
    unspent = [r for r in rows if not r.spent]
    dated = [r.disclose_until for r in unspent if r.disclose_until is not None]
    return {
        "convictions": rows,
        "can_record_convictions": can(user, Action.RECORD_OUTCOMES),
        "disclose_until": max(dated) if dated and len(dated) == len(unspent) else None,
        "disclose_always": any(r.never or r.indefinite for r in unspent),
    }


def check_level_of(opportunity: Opportunity) -> CheckLevel:
    """The criminal record check the opportunity's employer makes (``Opportunity.dbs_level``)."""
    return CheckLevel(opportunity.dbs_level)


def shown_on(level: CheckLevel, conviction: Conviction, today: dt.date) -> bool:
    """Whether a check of this level, made today, shows this recorded conviction."""
    return shown(level, conviction.spent, conviction.filtered_from, today)


def shown_q(level: CheckLevel, today: dt.date, prefix: str = "") -> Q:
    """The same rule as a filter on Conviction (``prefix``: the path to it, with __)."""
    if level is CheckLevel.NONE:
        return Q(pk__in=[])
    unspent = Q(**{f"{prefix}spent_on__isnull": True}) | Q(**{f"{prefix}spent_on__gt": today})
    if level not in SHOWS_SPENT:
        return unspent
    return (
        unspent
        | Q(**{f"{prefix}filtered_from__isnull": True})
        | Q(**{f"{prefix}filtered_from__gt": today})
    )
