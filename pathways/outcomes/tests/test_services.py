"""Orders, proven offences, targets and the tolerance: the rules, the refusals by role and
scope, and the audit row each change writes. The clock stands at 1 October 2026."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from pathways.accounts.models import Service, User
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent
from pathways.core.periods import half_year
from pathways.outcomes import services
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
from pathways.referrals.models import OrderType, Referral
from pathways.referrals.tests.factories import NOW, TODAY

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
HALF = half_year(TODAY)


def _order(actor: User, case: Referral, **kw: Any) -> Order:
    data: dict[str, Any] = {
        "order_type": OrderType.COMMUNITY_ORDER,
        "start_date": D(2026, 1, 5),
        "expected_end_date": D(2027, 1, 4),
    }
    data.update(kw)
    return services.order_record(actor=actor, participant=case.participant, **data)


def _offence(actor: User, case: Referral, **kw: Any) -> ProvenOffence:
    data: dict[str, Any] = {
        "committed_on": D(2026, 9, 10),
        "proven_on": D(2026, 9, 20),
        "proven_by": ProvenBy.CAUTION,
        "category": OffenceGroup.DRUGS,
    }
    data.update(kw)
    return services.offence_record(actor=actor, participant=case.participant, **data)


def _audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# Orders


def test_an_order_is_recorded_by_hand_and_audited(case: Referral, worker_north: User) -> None:
    order = _order(worker_north, case, note="  Unpaid work 100 hours  ")
    assert order.source == Source.HAND
    assert order.recorded_by == worker_north
    assert order.recorded_at == NOW
    assert order.note == "Unpaid work 100 hours"
    assert (order.actual_end_date, order.termination) == (None, "")
    [event] = _audits("order.recorded")
    assert (event.actor, event.subject_id, event.object_id) == (
        worker_north,
        case.participant_id,
        str(order.pk),
    )


def test_an_order_recorded_as_ended(case: Referral, manager: User) -> None:
    order = _order(
        manager, case, actual_end_date=TODAY, termination=Termination.COMPLETED
    )  # today is not the future
    assert order.completed_successfully


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_date": TODAY + DAY}, "The start date cannot be in the future."),
        (
            {"actual_end_date": TODAY + DAY, "termination": Termination.COMPLETED},
            "The end date cannot be in the future.",
        ),
        (
            {"actual_end_date": D(2026, 1, 4), "termination": Termination.BREACH},
            "The order cannot end before it started.",
        ),
        (
            {"actual_end_date": D(2026, 6, 1)},
            "Give both the end date and how the order ended, or neither.",
        ),
        (
            {"termination": Termination.BREACH},
            "Give both the end date and how the order ended, or neither.",
        ),
        (
            {"actual_end_date": D(2026, 6, 1), "termination": "escaped"},
            "Choose how the order ended.",
        ),
        ({"expected_end_date": D(2026, 1, 4)}, "The expected end cannot be before the start."),
    ],
)
def test_an_order_that_cannot_be_true_is_refused(
    case: Referral, manager: User, data: dict[str, Any], message: str
) -> None:
    with pytest.raises(RuleBroken) as error:
        _order(manager, case, **data)
    assert error.value.message == message
    assert not Order.objects.exists()
    assert not _audits("order.recorded")


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("referrer", NotPermitted),
        ("commissioner", NotPermitted),
        ("admin", NotPermitted),
        ("outsider", NotPermitted),
        ("worker_south", NotPermitted),
    ],
)
def test_orders_and_offences_are_refused_outside_the_role_or_scope(
    case: Referral, personas: dict[str, User], persona: str, error: type[Exception]
) -> None:
    actor = personas[persona]
    with pytest.raises(error):
        _order(actor, case)
    with pytest.raises(error):
        _offence(actor, case)
    order = _order(personas["manager"], case)
    with pytest.raises(error):
        services.order_end(
            actor=actor, order=order, actual_end_date=TODAY, termination=Termination.COMPLETED
        )
    assert ProvenOffence.objects.count() == 0
    order.refresh_from_db()
    assert order.actual_end_date is None


def test_a_south_worker_may_record_for_a_person_allocated_to_them(
    case: Referral, manager: User, worker_south: User
) -> None:
    """The scope is the one rule of core/access.py: a person of another patch allocated to
    the worker is theirs."""
    Referral.objects.filter(pk=case.pk).update(worker=worker_south)
    assert _order(worker_south, case).recorded_by == worker_south


def test_an_order_is_ended_by_hand_once(case: Referral, worker_north: User) -> None:
    order = _order(worker_north, case)
    ended = services.order_end(
        actor=worker_north,
        order=order,
        actual_end_date=D(2026, 9, 30),
        termination=Termination.BREACH,
    )
    assert (ended.actual_end_date, ended.termination) == (D(2026, 9, 30), Termination.BREACH)
    assert not ended.completed_successfully
    [event] = _audits("order.ended")
    assert event.summary == "Order ended: Terminated: breach"
    assert event.subject_id == case.participant_id
    with pytest.raises(StateChanged):
        services.order_end(
            actor=worker_north,
            order=order,
            actual_end_date=TODAY,
            termination=Termination.COMPLETED,
        )


@pytest.mark.parametrize(
    ("end", "termination", "message"),
    [
        (TODAY + DAY, Termination.COMPLETED, "The end date cannot be in the future."),
        (D(2026, 1, 4), Termination.COMPLETED, "The order cannot end before it started."),
        (D(2026, 6, 1), "", "Give both the end date and how the order ended, or neither."),
    ],
)
def test_ending_an_order_keeps_to_the_rules(
    case: Referral, manager: User, end: datetime.date, termination: str, message: str
) -> None:
    order = _order(manager, case)
    with pytest.raises(RuleBroken) as error:
        services.order_end(actor=manager, order=order, actual_end_date=end, termination=termination)
    assert error.value.message == message
    order.refresh_from_db()
    assert order.actual_end_date is None
    assert not _audits("order.ended")


def test_an_imported_order_cannot_be_ended_by_hand(case: Referral, manager: User) -> None:
    imported = Order.objects.create(
        participant=case.participant,
        order_type=OrderType.COMMUNITY_ORDER,
        start_date=D(2026, 1, 5),
        source=Source.IMPORT,
        source_ref="extract-7",
        recorded_at=NOW,
    )
    with pytest.raises(NotPermitted, match="probation extract"):
        services.order_end(
            actor=manager,
            order=imported,
            actual_end_date=TODAY,
            termination=Termination.COMPLETED,
        )
    imported.refresh_from_db()
    assert imported.actual_end_date is None


# Offences


def test_a_proven_offence_is_recorded_and_audited(case: Referral, worker_north: User) -> None:
    offence = _offence(worker_north, case, disposal="  Fine  ", proven_on=TODAY)
    assert (offence.source, offence.recorded_by, offence.disposal) == (
        Source.HAND,
        worker_north,
        "Fine",
    )
    [event] = _audits("offence.recorded")
    assert event.summary == "Proven offence recorded: Drug offences"
    assert event.subject_id == case.participant_id
    # Committed and proven on the same day is possible (a caution on the spot).
    same_day = _offence(worker_north, case, committed_on=TODAY, proven_on=TODAY)
    assert same_day.proven_by == ProvenBy.CAUTION


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"proven_on": TODAY + DAY}, "The date it was proven cannot be in the future."),
        (
            {"committed_on": D(2026, 9, 21), "proven_on": D(2026, 9, 20)},
            "An offence cannot be proven before it was committed.",
        ),
        ({"proven_by": "rumour"}, "Choose how it was proven and the offence group."),
        ({"category": "jaywalking"}, "Choose how it was proven and the offence group."),
    ],
)
def test_an_offence_that_cannot_be_true_is_refused(
    case: Referral, manager: User, data: dict[str, Any], message: str
) -> None:
    with pytest.raises(RuleBroken) as error:
        _offence(manager, case, **data)
    assert error.value.message == message
    assert not ProvenOffence.objects.exists()
    assert not _audits("offence.recorded")


# Targets and the tolerance


@pytest.mark.parametrize("persona", ["manager", "commissioner"])
def test_targets_are_set_and_changed_by_the_manager_or_commissioner(
    service: Service, personas: dict[str, User], persona: str, clock: Any
) -> None:
    actor = personas[persona]
    target = services.target_set(
        actor=actor,
        service=service,
        measure_key="starts",
        period=HALF,
        kind=TargetKind.INTERMEDIATE,
        value=Decimal("12"),
    )
    assert (target.period_start, target.period_end, target.value) == (
        D(2026, 5, 1),
        D(2026, 10, 31),
        Decimal("12"),
    )
    again = services.target_set(
        actor=actor,
        service=service,
        measure_key="starts",
        period=HALF,
        kind=TargetKind.INTERMEDIATE,
        value=Decimal("14.5"),
    )
    assert again.pk == target.pk
    assert Target.objects.get().value == Decimal("14.5")
    assert [e.summary for e in _audits("target.set")] == [
        "Target set: Starts on the service, May to October 2026, intermediate 12",
        "Target changed: Starts on the service, May to October 2026, intermediate 14.5",
    ]
    assert all(e.actor == actor and e.subject_id is None for e in _audits("target.set"))


@pytest.mark.parametrize(
    "persona", ["referrer", "worker_north", "worker_south", "admin", "outsider"]
)
def test_targets_are_refused_to_other_roles_and_services(
    service: Service, personas: dict[str, User], persona: str
) -> None:
    with pytest.raises(NotPermitted):
        services.target_set(
            actor=personas[persona],
            service=service,
            measure_key="starts",
            period=HALF,
            kind=TargetKind.INTERMEDIATE,
            value=Decimal(1),
        )
    with pytest.raises(NotPermitted):
        services.tolerance_set(actor=personas[persona], service=service, percent=5)
    assert not Target.objects.exists() and not TargetTolerance.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="target.").exists()


@pytest.mark.parametrize(
    ("key", "kind", "value", "message"),
    [
        ("no_such_measure", TargetKind.INTERMEDIATE, "1", "Choose a measure."),
        ("starts", "eventual", "1", "Choose intermediate or long-term."),
        ("starts", TargetKind.LONG_TERM, "-0.1", "A target cannot be negative."),
    ],
)
def test_a_target_that_makes_no_sense_is_refused(
    service: Service, manager: User, key: str, kind: str, value: str, message: str
) -> None:
    with pytest.raises(RuleBroken) as error:
        services.target_set(
            actor=manager,
            service=service,
            measure_key=key,
            period=HALF,
            kind=kind,
            value=Decimal(value),
        )
    assert error.value.message == message
    assert not Target.objects.exists()


def test_a_target_of_zero_is_allowed(service: Service, manager: User) -> None:
    target = services.target_set(
        actor=manager,
        service=service,
        measure_key="attrition",
        period=HALF,
        kind=TargetKind.LONG_TERM,
        value=Decimal(0),
    )
    assert target.value == 0


def test_the_tolerance_is_set_per_service_and_audited(
    service: Service, commissioner: User, manager: User
) -> None:
    services.tolerance_set(actor=commissioner, service=service, percent=0)
    services.tolerance_set(actor=manager, service=service, percent=100)
    assert TargetTolerance.objects.get(service=service).percent == 100
    assert [e.summary for e in _audits("target.tolerance")] == [
        "Amber tolerance set to 0%",
        "Amber tolerance set to 100%",
    ]
    for percent in (-1, 101):
        with pytest.raises(RuleBroken, match="from 0 to 100"):
            services.tolerance_set(actor=manager, service=service, percent=percent)
    assert TargetTolerance.objects.get(service=service).percent == 100
