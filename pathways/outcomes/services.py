"""Orders and proven offences entered by hand. Atomic, scoped, audited with the person as
subject. Imported facts are written by the imports app with ``source=import``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.periods import Period
from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.models import (
    OffenceGroup,
    Order,
    ProvenBy,
    ProvenOffence,
    Source,
    Target,
    TargetKind,
    TargetTolerance,
    Termination,
)
from pathways.participants.models import Participant
from pathways.referrals.access import locked_participant


def _in_scope(actor: User, participant: Participant) -> Participant:
    return locked_participant(actor, participant, Action.RECORD_OUTCOMES)


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


@transaction.atomic
def target_set(
    *,
    actor: User,
    service: Service,
    measure_key: str,
    period: Period,
    kind: str,
    value: Decimal,
) -> Target:
    """Set (or change) the target of a measure for a period. Figures, not people."""
    require(actor, Action.SET_TARGETS)
    if actor.service_id != service.pk:
        raise NotPermitted("Targets are set for your own service.")
    if measure_key not in BY_KEY:
        raise RuleBroken("Choose a measure.")
    if kind not in TargetKind.values:
        raise RuleBroken("Choose intermediate or long-term.")
    if value < 0:
        raise RuleBroken("A target cannot be negative.")
    target, created = Target.objects.update_or_create(
        service=service,
        measure_key=measure_key,
        period_start=period.start,
        period_end=period.end,
        kind=kind,
        defaults={"value": value, "set_by": actor, "set_at": timezone.now()},
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="target.set",
        obj=target,
        subject_id=None,
        summary=f"Target {'set' if created else 'changed'}: {BY_KEY[measure_key].name}, "
        f"{period}, {TargetKind(kind).label.lower()} {value}",
    )
    return target


@transaction.atomic
def target_clear(
    *, actor: User, service: Service, measure_key: str, period: Period, kind: str
) -> None:
    """Remove a target: the measure has none of that kind for the period."""
    require(actor, Action.SET_TARGETS)
    if actor.service_id != service.pk:
        raise NotPermitted("Targets are set for your own service.")
    target = Target.objects.filter(
        service=service,
        measure_key=measure_key,
        period_start=period.start,
        period_end=period.end,
        kind=kind,
    ).first()
    if target is None:
        return
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="target.cleared",
        obj=target,
        subject_id=None,
        summary=f"Target removed: {BY_KEY[measure_key].name}, {period}, "
        f"{TargetKind(kind).label.lower()}",
    )
    target.delete()


@transaction.atomic
def tolerance_set(*, actor: User, service: Service, percent: int) -> TargetTolerance:
    require(actor, Action.SET_TARGETS)
    if actor.service_id != service.pk:
        raise NotPermitted("The tolerance is set for your own service.")
    if not 0 <= percent <= 100:
        raise RuleBroken("The tolerance is a percentage from 0 to 100.")
    tolerance, _created = TargetTolerance.objects.update_or_create(
        service=service, defaults={"percent": percent}
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="target.tolerance",
        obj=tolerance,
        subject_id=None,
        summary=f"Amber tolerance set to {percent}%",
    )
    return tolerance
