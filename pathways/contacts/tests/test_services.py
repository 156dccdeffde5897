from __future__ import annotations

import datetime

import pytest
import time_machine

from pathways.accounts.models import User
from pathways.contacts import services
from pathways.contacts.models import (
    Attendance,
    Contact,
    ContactStatus,
    Mode,
    NotHappenedReason,
    OnwardOutcome,
    OnwardReferral,
    OnwardService,
)
from pathways.contacts.services import Outcome, When
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW, TODAY

pytestmark = pytest.mark.django_db

TOOK_PLACE = Outcome(happened=True, attended=Attendance.YES, notes="Worked on the CV")


def _when(hours: float, **kw: object) -> When:
    return When(
        starts_at=NOW + datetime.timedelta(hours=hours),
        mode=str(kw.get("mode", Mode.FACE_TO_FACE)),
        duration_minutes=60,
        location="Hanley",
    )


def test_an_appointment_is_booked_for_a_time_to_come(case: Referral, worker_north: User) -> None:
    contact = services.contact_book(actor=worker_north, referral=case, when=_when(24))
    assert contact.status == ContactStatus.BOOKED
    assert contact.outcome_recorded_at is None
    with pytest.raises(RuleBroken, match="record a contact"):
        services.contact_book(actor=worker_north, referral=case, when=_when(-1))
    assert Contact.objects.count() == 1


def test_a_contact_that_took_place_is_recorded_with_its_outcome(
    case: Referral, worker_north: User
) -> None:
    contact = services.contact_record(
        actor=worker_north, referral=case, when=_when(-2), outcome=TOOK_PLACE
    )
    assert contact.status == ContactStatus.HAPPENED
    assert contact.outcome_recorded_by == worker_north
    with pytest.raises(RuleBroken, match="future"):
        services.contact_record(
            actor=worker_north, referral=case, when=_when(2), outcome=TOOK_PLACE
        )
    with pytest.raises(RuleBroken, match="before support started"):
        services.contact_record(
            actor=worker_north, referral=case, when=_when(-24 * 40), outcome=TOOK_PLACE
        )
    event = AuditEvent.objects.get(action="contact.recorded")
    assert event.subject_id == case.participant_id


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (Outcome(happened=True, attended=Attendance.NO), "did not take place"),
        (
            Outcome(
                happened=True,
                attended=Attendance.YES,
                not_happened_reason=NotHappenedReason.LOGISTICS,
            ),
            "no reason",
        ),
        (Outcome(happened=False, attended=Attendance.NO), "why the session"),
        (Outcome(happened=False, attended="maybe"), "attended"),
    ],
)
def test_attendance_and_whether_it_took_place_are_kept_apart_but_consistent(
    case: Referral, worker_north: User, outcome: Outcome, message: str
) -> None:
    with pytest.raises(RuleBroken, match=message):
        services.contact_record(actor=worker_north, referral=case, when=_when(-1), outcome=outcome)
    assert not Contact.objects.exists()


def test_the_person_can_attend_a_session_that_did_not_happen(
    case: Referral, worker_north: User
) -> None:
    contact = services.contact_record(
        actor=worker_north,
        referral=case,
        when=_when(-1),
        outcome=Outcome(
            happened=False,
            attended=Attendance.YES,
            not_happened_reason=NotHappenedReason.LOGISTICS,
            notes="Room double-booked",
        ),
    )
    assert contact.status == ContactStatus.DID_NOT_HAPPEN
    assert contact.attended == Attendance.YES


def test_feedback_comes_after_the_appointment_and_only_once(
    case: Referral, worker_north: User, clock: time_machine.Traveller
) -> None:
    booked = services.contact_book(actor=worker_north, referral=case, when=_when(3))
    with pytest.raises(RuleBroken, match="not happened yet"):
        services.contact_feedback(actor=worker_north, contact=booked, outcome=TOOK_PLACE)
    clock.shift(datetime.timedelta(hours=4))
    assert booked.status == ContactStatus.AWAITING_FEEDBACK
    done = services.contact_feedback(actor=worker_north, contact=booked, outcome=TOOK_PLACE)
    assert done.status == ContactStatus.HAPPENED
    with pytest.raises(StateChanged, match="already"):
        services.contact_feedback(actor=worker_north, contact=booked, outcome=TOOK_PLACE)


def test_rescheduling_supersedes_and_never_overwrites(case: Referral, worker_north: User) -> None:
    booked = services.contact_book(actor=worker_north, referral=case, when=_when(3))
    with pytest.raises(RuleBroken, match="Explain"):
        services.contact_reschedule(
            actor=worker_north,
            contact=booked,
            starts_at=NOW + datetime.timedelta(days=2),
            reason="",
        )
    with pytest.raises(RuleBroken, match="still to come"):
        services.contact_reschedule(
            actor=worker_north, contact=booked, starts_at=NOW, reason="Clash"
        )
    new = services.contact_reschedule(
        actor=worker_north,
        contact=booked,
        starts_at=NOW + datetime.timedelta(days=2),
        reason="Starts a course that day",
    )
    booked.refresh_from_db()
    assert booked.starts_at == NOW + datetime.timedelta(hours=3)  # kept as it was
    assert booked.superseded_by == new
    assert booked.status == ContactStatus.RESCHEDULED
    assert (new.mode, new.duration_minutes, new.location) == (
        booked.mode,
        booked.duration_minutes,
        booked.location,
    )
    with pytest.raises(StateChanged, match="rescheduled"):
        services.contact_feedback(actor=worker_north, contact=booked, outcome=TOOK_PLACE)
    with pytest.raises(StateChanged, match="rescheduled"):
        services.contact_reschedule(
            actor=worker_north,
            contact=booked,
            starts_at=NOW + datetime.timedelta(days=3),
            reason="x",
        )
    assert Contact.objects.count() == 2


@pytest.mark.parametrize("who", ["referrer", "worker_south", "commissioner", "outsider"])
def test_only_workers_and_the_manager_in_scope_record_contacts(
    case: Referral, personas: dict[str, User], who: str
) -> None:
    with pytest.raises(NotPermitted):
        services.contact_record(
            actor=personas[who], referral=case, when=_when(-1), outcome=TOOK_PLACE
        )
    with pytest.raises(NotPermitted):
        services.onward_referral_make(
            actor=personas[who],
            referral=case,
            kind=OnwardService.HOUSING,
            organisation="Council",
            referred_on=TODAY,
        )
    assert not Contact.objects.exists()
    assert not OnwardReferral.objects.exists()


def test_wrap_around_referrals_and_their_outcomes(case: Referral, manager: User) -> None:
    onward = services.onward_referral_make(
        actor=manager,
        referral=case,
        kind=OnwardService.HOUSING,
        organisation=" Stoke Housing Solutions ",
        referred_on=datetime.date(2026, 9, 10),
    )
    assert onward.organisation == "Stoke Housing Solutions"
    with pytest.raises(RuleBroken, match="between"):
        services.onward_referral_outcome(
            actor=manager,
            onward=onward,
            outcome=OnwardOutcome.SUPPORTED,
            on=datetime.date(2026, 9, 9),
        )
    done = services.onward_referral_outcome(
        actor=manager, onward=onward, outcome=OnwardOutcome.SUPPORTED, on=TODAY
    )
    assert done.outcome == OnwardOutcome.SUPPORTED
    with pytest.raises(StateChanged):
        services.onward_referral_outcome(
            actor=manager, onward=onward, outcome=OnwardOutcome.OTHER, on=TODAY
        )
    with pytest.raises(RuleBroken, match="future"):
        services.onward_referral_make(
            actor=manager,
            referral=case,
            kind=OnwardService.DEBT,
            organisation="Citizens Advice",
            referred_on=datetime.date(2026, 10, 2),
        )
