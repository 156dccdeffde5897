"""Orders and proven offences entered by hand. Atomic, scoped, audited with the person as
subject. Imported facts are written by the imports app with ``source=import``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.access import Action, participants_for
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.guards import require
from pathways.outcomes.models import (
    OffenceGroup,
    Order,
    ProvenBy,
    ProvenOffence,
    Source,
    Termination,
)
from pathways.participants.models import Participant


def _in_scope(actor: User, participant: Participant) -> Participant:
    require(actor, Action.RECORD_OUTCOMES)
    found = participants_for(actor).select_for_update().filter(pk=participant.pk).first()
    if found is None:
        raise NotPermitted("This person is not one you can change.")
    return found


def _not_future(day: datetime.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        raise RuleBroken(f"The {what} cannot be in the future.")


def _check_end(start: datetime.date, end: datetime.date | None, termination: str) -> None:
    _not_future(end, "end date")
    if end is not None and end < start:
        raise RuleBroken("The order cannot end before it started.")
    if (end is None) != (not termination):
        raise RuleBroken("Give both the end date and how the order ended, or neither.")
    if termination and termination not in Termination.values:
        raise RuleBroken("Choose how the order ended.")


@transaction.atomic
def order_record(
    *,
    actor: User,
    participant: Participant,
    order_type: str,
    start_date: datetime.date,
    expected_end_date: datetime.date | None = None,
    actual_end_date: datetime.date | None = None,
    termination: str = "",
    note: str = "",
) -> Order:
    person = _in_scope(actor, participant)
    _not_future(start_date, "start date")
    _check_end(start_date, actual_end_date, termination)
    if expected_end_date is not None and expected_end_date < start_date:
        raise RuleBroken("The expected end cannot be before the start.")
    order = Order.objects.create(
        participant=person,
        order_type=order_type,
        start_date=start_date,
        expected_end_date=expected_end_date,
        actual_end_date=actual_end_date,
        termination=termination,
        source=Source.HAND,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="order.recorded",
        obj=order,
        subject_id=person.pk,
        summary=f"Order recorded: {order}",
    )
    return order


@transaction.atomic
def order_end(
    *, actor: User, order: Order, actual_end_date: datetime.date, termination: str
) -> Order:
    """Record how a running order ended (an order entered by hand)."""
    _in_scope(actor, order.participant)
    current = Order.objects.select_for_update().get(pk=order.pk)
    if current.source != Source.HAND:
        raise NotPermitted("Orders from a probation extract change only through a new extract.")
    if current.actual_end_date is not None:
        raise StateChanged("This order has already ended.")
    _check_end(current.start_date, actual_end_date, termination)
    current.actual_end_date = actual_end_date
    current.termination = termination
    current.save(update_fields=["actual_end_date", "termination"])
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="order.ended",
        obj=current,
        subject_id=current.participant_id,
        summary=f"Order ended: {current.get_termination_display()}",
    )
    return current


@transaction.atomic
def offence_record(
    *,
    actor: User,
    participant: Participant,
    committed_on: datetime.date,
    proven_on: datetime.date,
    proven_by: str,
    category: str,
    disposal: str = "",
) -> ProvenOffence:
    person = _in_scope(actor, participant)
    _not_future(proven_on, "date it was proven")
    if proven_on < committed_on:
        raise RuleBroken("An offence cannot be proven before it was committed.")
    if proven_by not in ProvenBy.values or category not in OffenceGroup.values:
        raise RuleBroken("Choose how it was proven and the offence group.")
    offence = ProvenOffence.objects.create(
        participant=person,
        committed_on=committed_on,
        proven_on=proven_on,
        proven_by=proven_by,
        category=category,
        disposal=disposal.strip(),
        source=Source.HAND,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="offence.recorded",
        obj=offence,
        subject_id=person.pk,
        summary=f"Proven offence recorded: {offence.get_category_display()}",
    )
    return offence
