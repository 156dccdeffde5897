from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Area, Patch, Service, User
from pathways.casework.selectors import caseload_for
from pathways.contacts import selectors, services
from pathways.contacts.models import Attendance, Contact, Mode, NotHappenedReason
from pathways.contacts.services import Outcome, When
from pathways.referrals import services as referrals
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW, make_referral

pytestmark = pytest.mark.django_db

TOOK_PLACE = Outcome(happened=True, attended=Attendance.YES)
MISSED = Outcome(
    happened=False, attended=Attendance.NO, not_happened_reason=NotHappenedReason.UNACCEPTABLE
)


def _when(days: float) -> When:
    return When(starts_at=NOW + datetime.timedelta(days=days), mode=Mode.PHONE, duration_minutes=30)


def test_awaiting_feedback_lists_past_appointments_with_no_outcome(
    case: Referral, worker_north: User, worker_south: User, manager: User, clock: object
) -> None:
    soon = services.contact_book(actor=worker_north, referral=case, when=_when(1))
    moved = services.contact_book(actor=worker_north, referral=case, when=_when(2))
    services.contact_reschedule(
        actor=worker_north, contact=moved, starts_at=NOW + datetime.timedelta(days=5), reason="Ill"
    )
    assert list(selectors.awaiting_feedback_for(worker_north)) == []
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        # The rescheduled one is superseded; its replacement is still to come.
        assert list(selectors.awaiting_feedback_for(worker_north)) == [soon]
        assert list(selectors.awaiting_feedback_for(manager)) == [soon]
        assert list(selectors.awaiting_feedback_for(worker_south)) == []
        services.contact_feedback(actor=worker_north, contact=soon, outcome=TOOK_PLACE)
        assert list(selectors.awaiting_feedback_for(worker_north)) == []


def test_the_caseload_shows_last_contact_and_contacts_in_the_last_four_weeks(
    case: Referral, worker_north: User
) -> None:
    for days in (-29, -27, -10, -3):
        services.contact_record(
            actor=worker_north, referral=case, when=_when(days), outcome=TOOK_PLACE
        )
    services.contact_record(actor=worker_north, referral=case, when=_when(-1), outcome=MISSED)
    services.contact_book(actor=worker_north, referral=case, when=_when(2))
    row = caseload_for(worker_north).get()
    assert row.last_contact == NOW - datetime.timedelta(days=3)  # type: ignore[attr-defined]
    # 27, 10 and 3 days ago; not the missed one.
    assert row.recent_contacts == 3  # type: ignore[attr-defined]
    # Four weeks on, with no contact since, support has visibly tapered off.
    with time_machine.travel(NOW + datetime.timedelta(days=28), tick=False):
        row = caseload_for(worker_north).get()
        assert row.recent_contacts == 0  # type: ignore[attr-defined]
        assert row.last_contact == NOW - datetime.timedelta(days=3)  # type: ignore[attr-defined]


def test_a_caseload_with_no_contacts_yet(case: Referral, worker_north: User) -> None:
    row = caseload_for(worker_north).get()
    assert row.last_contact is None  # type: ignore[attr-defined]
    assert row.recent_contacts == 0  # type: ignore[attr-defined]


def test_concerns_show_to_the_referrer_of_the_person_and_no_one_else_outside(
    case: Referral, worker_north: User, referrer: User, other_referrer: User
) -> None:
    flagged = services.contact_record(
        actor=worker_north,
        referral=case,
        when=_when(-2),
        outcome=Outcome(
            happened=False,
            attended=Attendance.NO,
            not_happened_reason=NotHappenedReason.UNACCEPTABLE,
            notes="Third missed session; says he is sofa-surfing.",
            tell_referrer=True,
        ),
    )
    services.contact_record(
        actor=worker_north,
        referral=case,
        when=_when(-1),
        outcome=Outcome(happened=True, attended=Attendance.YES, notes="Private notes"),
    )
    assert list(selectors.concerns_for(referrer, case.participant)) == [flagged]
    assert list(selectors.concerns_for(other_referrer, case.participant)) == []


def test_the_caseload_page_takes_the_same_queries_for_200_participants(
    client: Client,
    service: Service,
    north: Patch,
    referrer: User,
    manager: User,
    worker_north: User,
    django_assert_max_num_queries: object,
) -> None:
    service.capacity = 250
    service.save()
    area = Area.objects.get(patch=north)
    cases = []
    for n in range(200):
        referral = referrals.referral_accept(
            actor=manager,
            referral=make_referral(referrer, area=area, crn=None, first_name=f"P{n:03d}"),
        )
        referrals.referral_allocate(actor=manager, referral=referral, worker=worker_north)
        cases.append(referral)
    now = datetime.datetime.now(datetime.UTC)
    Contact.objects.bulk_create(
        Contact(
            referral=referral,
            starts_at=now - datetime.timedelta(days=k * 6 + 1),
            mode=Mode.PHONE,
            duration_minutes=30,
            booked_by=worker_north,
            created_at=now,
            outcome_recorded_at=now,
            happened=True,
            attended=Attendance.YES,
        )
        for referral in cases
        for k in range(3)
    )
    client.force_login(worker_north)
    # Session, user, the count, the page (with people, contact figures and review dates in
    # one query), the unallocated list and the audit-free navigation: a fixed number.
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get("/caseload/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "200 participants receiving support" in body
    assert body.count('class="govuk-table__row"') == 26  # header and a page of 25
