"""Reads for the API: a client's referrals, when each last changed, and its history; the
cursor of the list. Every referral read starts from ``referrals.access.referrals_for`` with
the client's account (a referrer: the referrals it made)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import DateTimeField, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from pathways.api.models import ApiClient
from pathways.imports.models import ImportBatch
from pathways.referrals.access import referrals_for
from pathways.referrals.models import Referral, ReferralAmendment
from pathways.referrals.status import ReferralQuerySet, ReferralStatus

# The dated facts of a referral that a client may know of, in the order they happen:
# (event, field). Whether a held referral was joined or kept apart is not said, nor who
# decided: only that the service's check is done.
FACTS: tuple[tuple[str, str], ...] = (
    ("received", "received_at"),
    ("held_for_review", "held_at"),
    ("review_done", "hold_resolved_at"),
    ("accepted", "accepted_at"),
    ("declined", "declined_at"),
    ("started", "started_at"),
    ("ended", "ended_at"),
)
# A held referral is "held for review" to the client: never that a match was found.
HELD = "held_for_review"
HELD_LABEL = "Held for review"
CURSOR_SALT = "pathways.api.referrals.cursor"
MAX_PAGE = 100


def _last_amended() -> Subquery:
    return Subquery(
        ReferralAmendment.objects.filter(referral=OuterRef("pk"))
        .order_by()
        .values("referral")
        .annotate(last=Max("at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


def with_changed_at(referrals: ReferralQuerySet) -> ReferralQuerySet:
    """``changed_at``: the latest of the referral's dated facts and amendments (the one
    definition of "changed" for the list and each referral)."""
    latest = [Coalesce(field, "received_at") for _event, field in FACTS[1:]]
    latest.append(Coalesce(_last_amended(), "received_at"))
    return referrals.annotate(
        changed_at=Greatest("received_at", *latest, output_field=DateTimeField())
    )


def referrals_of(client: ApiClient) -> ReferralQuerySet:
    return with_changed_at(referrals_for(client.account))


def with_amendment_times(referrals: ReferralQuerySet) -> ReferralQuerySet:
    """Each referral's amendment times in one query for the whole list, so its history
    (``history_of``) costs no query a referral."""
    return referrals.prefetch_related(
        Prefetch("amendments", queryset=ReferralAmendment.objects.only("referral", "at"))
    )


def status_of(referral: Referral) -> tuple[str, str]:
    status = referral.status
    if status == ReferralStatus.HELD:
        return HELD, HELD_LABEL
    return str(status.value), str(status.label)


def history_of(referral: Referral) -> list[dict[str, Any]]:
    events = [
        {"event": event, "at": getattr(referral, field)}
        for event, field in FACTS
        if getattr(referral, field) is not None
    ]
    # The amendments a list prefetched (``with_amendment_times``), or one query for one.
    events += [{"event": "amended", "at": amendment.at} for amendment in referral.amendments.all()]
    return sorted(events, key=lambda event: event["at"])


def shown(referral: Any) -> dict[str, Any]:
    """A referral as the API gives it: status and history, never the person."""
    code, label = status_of(referral)
    return {
        "id": referral.pk,
        "status": code,
        "status_label": label,
        "received_at": referral.received_at,
        "changed_at": referral.changed_at,
        "history": history_of(referral),
    }


@dataclass(frozen=True)
class Position:
    changed_at: datetime.datetime
    pk: int


def cursor_for(position: Position) -> str:
    """Opaque to the client, and signed: a cursor is only ever one this API gave."""
    return signing.dumps([position.changed_at.isoformat(), position.pk], salt=CURSOR_SALT)


def position_of(cursor: str) -> Position:
    """ValueError for a cursor this API did not give."""
    try:
        at, pk = signing.loads(cursor, salt=CURSOR_SALT)
        return Position(datetime.datetime.fromisoformat(at), int(pk))
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise ValueError("The cursor is not one this API gave. Start again without it.") from error


def changed_page(
    client: ApiClient, *, since: datetime.datetime | None, cursor: str | None, limit: int
) -> tuple[list[Referral], str | None]:
    """The client's referrals that changed at or after ``since``, in a stable order
    (``changed_at``, then id), from the cursor on: one page and the next page's cursor."""
    rows = referrals_of(client)
    if since is not None:
        rows = rows.filter(changed_at__gte=since)  # type: ignore[misc]
    if cursor:
        after = position_of(cursor)
        rows = rows.filter(
            Q(changed_at__gt=after.changed_at) | Q(changed_at=after.changed_at, pk__gt=after.pk)
        )
    found = list(with_amendment_times(rows).order_by("changed_at", "pk")[: limit + 1])
    page = found[:limit]
    more = len(found) > limit
    following = (
        cursor_for(Position(page[-1].changed_at, page[-1].pk))  # type: ignore[attr-defined]
        if more
        else None
    )
    return page, following


def imports_of(client: ApiClient) -> Any:
    """The imports the client uploaded: no other's."""
    return ImportBatch.objects.filter(service_id=client.service_id, uploaded_by=client.account)
