"""Who may be told: a participant's mobile number and consent to texts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from pathways.notifications.models import TextConsent
from pathways.participants.models import Participant

# A UK mobile number, as Notify accepts it (spaces, dashes and brackets ignored).
UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def mobile_number(phone: str) -> str | None:
    """The number to text, or None when it is not a UK mobile number."""
    number = _SEPARATORS.sub("", phone or "")
    return number if UK_MOBILE.match(number) else None


def consented() -> Exists:
    """On participants: a current (not withdrawn) consent to texts."""
    return Exists(TextConsent.objects.current().filter(participant=OuterRef("pk")))


def textable(participant_ids: Iterable[int]) -> set[int]:
    """Of these people, those who may be texted now: a current consent and a mobile
    number (one query)."""
    rows = (
        Participant.objects.filter(pk__in=list(participant_ids))
        .filter(consented())
        .values_list("pk", "phone")
    )
    return {pk for pk, phone in rows if mobile_number(phone)}
