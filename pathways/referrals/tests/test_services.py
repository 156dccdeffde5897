"""The referral rules: intake, triage, the capacity cap and waiting list, allocation, end."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.accounts.tests.factories import AreaFactory
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent, AuditKind
from pathways.participants.models import Participant
from pathways.referrals import services
from pathways.referrals.models import Cohort, DeclineReason, EndReason, Referral, Source
from pathways.referrals.status import ReferralStatus
from pathways.referrals.tests.factories import (
    details_data,
    make_active,
    make_referral,
    person_data,
)

pytestmark = pytest.mark.django_db


SUMMARY = "Into work as a labourer; no further support needed."


def _end_reason(code: str = "disengaged") -> EndReason:
    return EndReason.objects.get(code=code)


def _decline_reason(code: str = "in-work-or-education") -> DeclineReason:
    return DeclineReason.objects.get(code=code)


# Intake


def test_referral_create_records_person_referral_and_audit(referrer: User, north: Patch) -> None:
    referral = make_referral(referrer, first_name="Dana")
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.patch == north
    assert referral.participant.first_name == "Dana"
    event = AuditEvent.objects.get(action="referral.created")
    assert event.actor == referrer
    assert event.subject_id == referral.participant_id
    assert event.kind == AuditKind.CHANGE


@pytest.mark.parametrize("role", ["worker_north", "commissioner", "admin_user", "outsider"])
def test_referral_create_refused_for_roles_that_do_not_refer(
    request: pytest.FixtureRequest, role: str, service: Service, north: Patch
) -> None:
    actor = request.getfixturevalue(role)
    with pytest.raises(NotPermitted):
        services.referral_create(
            actor=actor,
            service=service,
            person=person_data(north.areas.get()),
            details=details_data(),
        )
    assert not Participant.objects.exists()


def test_referral_create_refuses_under_16_on_the_referral_date(
    referrer: User, north: Patch
) -> None:
    today = timezone.localdate()
    sixteenth_birthday_tomorrow = today.replace(year=today.year - 16) + datetime.timedelta(days=1)
    with pytest.raises(RuleBroken, match="16 or over"):
        make_referral(referrer, date_of_birth=sixteenth_birthday_tomorrow)
    assert not Referral.objects.exists()
    assert not Participant.objects.exists()


def test_referral_create_accepts_a_person_on_their_16th_birthday(
    referrer: User, north: Patch
) -> None:
    today = timezone.localdate()
    if (today.month, today.day) == (2, 29):
        pytest.skip("no 16th birthday on 29 February in a common year")
    referral = make_referral(referrer, date_of_birth=today.replace(year=today.year - 16))
    assert referral.status == ReferralStatus.RECEIVED


def test_referral_create_needs_consent(referrer: User, service: Service, north: Patch) -> None:
    with pytest.raises(RuleBroken, match="consent"):
        services.referral_create(
            actor=referrer,
            service=service,
            person=person_data(north.areas.get()),
            details=details_data(consent_given=False),
        )
    assert not Referral.objects.exists()


def test_rotl_referral_needs_prison_number_and_release_date(
    referrer: User, service: Service, north: Patch
) -> None:
    details = details_data(cohort=Cohort.ROTL, source=Source.PRISON, prison_name="HMP Stafford")
    with pytest.raises(RuleBroken, match="ROTL"):
        services.referral_create(
            actor=referrer, service=service, person=person_data(north.areas.get()), details=details
        )
    details["expected_release_date"] = timezone.localdate() + datetime.timedelta(days=60)
    referral = services.referral_create(
        actor=referrer,
        service=service,
        person=person_data(north.areas.get(), prison_number="A1234BC", location="custody"),
        details=details,
    )
    assert referral.cohort == Cohort.ROTL


def test_referral_create_refuses_an_area_of_another_service(
    referrer: User, service: Service, north: Patch
) -> None:
    foreign_area = AreaFactory.create()  # in a patch of another service
    with pytest.raises(RuleBroken, match="not covered"):
        services.referral_create(
            actor=referrer,
            service=service,
            person=person_data(foreign_area),
            details=details_data(),
        )


def test_referral_create_refuses_another_service(referrer: User, north: Patch) -> None:
    other_area = AreaFactory.create()
    with pytest.raises(NotPermitted):
        services.referral_create(
            actor=referrer,
            service=other_area.patch.service,
            person=person_data(other_area),
            details=details_data(),
        )


def test_known_person_with_open_referral_cannot_be_referred_again(
    referrer: User, service: Service, north: Patch
) -> None:
    first = make_referral(referrer)
    with pytest.raises(RuleBroken, match="already has an open referral"):
        services.referral_create(
            actor=referrer,
            service=service,
            person=person_data(
                north.areas.get(),
                crn=first.participant.crn,
                first_name=first.participant.first_name,
            ),
            details=details_data(),
            existing_participant=first.participant,
        )
    assert Referral.objects.count() == 1


def test_known_person_can_be_referred_again_after_support_ended(
    referrer: User, manager: User, service: Service, north: Patch
) -> None:
    first = make_active(referrer, manager)
    services.referral_end(
        actor=manager, referral=first, reason=_end_reason(), closing_summary=SUMMARY
    )
    second = services.referral_create(
        actor=referrer,
        service=service,
        person=person_data(
            north.areas.get(),
            crn=first.participant.crn,
            first_name=first.participant.first_name,
            phone="07700 900123",
        ),
        details=details_data(),
        existing_participant=first.participant,
    )
    assert second.participant_id == first.participant_id
    assert Participant.objects.count() == 1
    # The phone typed is proposed for the manager, not written over the record.
    second.participant.refresh_from_db()
    assert second.participant.phone == ""
    assert second.proposed_changes == {"phone": "07700 900123"}


def test_a_crn_is_never_given_to_two_new_people(referrer: User, north: Patch) -> None:
    make_referral(referrer, crn="X111111")
    with pytest.raises(StateChanged, match="CRN"):
        make_referral(referrer, crn="X111111", first_name="Someone", last_name="Else")
    assert Participant.objects.count() == 1


# Triage and the capacity cap


def _fill(service: Service, referrer: User, manager: User, capacity: int) -> list[Referral]:
    service.capacity = capacity
    service.save()
    return [make_active(referrer, manager) for _ in range(capacity)]


def test_accept_takes_a_free_place(referrer: User, manager: User, north: Patch) -> None:
    referral = services.referral_accept(actor=manager, referral=make_referral(referrer))
    assert referral.status == ReferralStatus.ACTIVE
    assert referral.accepted_by == manager
    assert AuditEvent.objects.filter(
        action="referral.accepted", object_id=str(referral.pk)
    ).exists()


def test_accept_when_full_joins_the_waiting_list_in_order(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    _fill(service, referrer, manager, capacity=2)
    first = services.referral_accept(actor=manager, referral=make_referral(referrer))
    second = services.referral_accept(actor=manager, referral=make_referral(referrer))
    assert first.status == second.status == ReferralStatus.WAITING
    assert Referral.objects.active().count() == 2
    queue = list(Referral.objects.waiting().queue_order())
    assert queue == [first, second]


def test_manager_override_gives_a_place_over_capacity_with_a_reason(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    _fill(service, referrer, manager, capacity=1)
    referral = services.referral_accept(
        actor=manager, referral=make_referral(referrer), override_reason="Release date tomorrow"
    )
    assert referral.status == ReferralStatus.ACTIVE
    assert referral.override_reason == "Release date tomorrow"
    event = AuditEvent.objects.get(action="referral.accepted", object_id=str(referral.pk))
    assert event.detail == {"override": True}


def test_blank_override_reason_does_not_override(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    _fill(service, referrer, manager, capacity=1)
    referral = services.referral_accept(
        actor=manager, referral=make_referral(referrer), override_reason="   "
    )
    assert referral.status == ReferralStatus.WAITING


def test_freed_place_goes_to_the_head_of_the_waiting_list(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    (active,) = _fill(service, referrer, manager, capacity=1)
    head = services.referral_accept(actor=manager, referral=make_referral(referrer))
    behind = services.referral_accept(actor=manager, referral=make_referral(referrer))
    services.referral_end(
        actor=manager,
        referral=active,
        reason=_end_reason("sustained-work"),
        closing_summary=SUMMARY,
    )
    head.refresh_from_db()
    behind.refresh_from_db()
    assert head.status == ReferralStatus.ACTIVE
    assert behind.status == ReferralStatus.WAITING
    assert AuditEvent.objects.filter(
        action="referral.place_offered", object_id=str(head.pk)
    ).exists()


def test_leaving_the_waiting_list_frees_no_place(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    _fill(service, referrer, manager, capacity=1)
    waiting = services.referral_accept(actor=manager, referral=make_referral(referrer))
    behind = services.referral_accept(actor=manager, referral=make_referral(referrer))
    ended = services.referral_end(actor=manager, referral=waiting, reason=_end_reason("moved-away"))
    behind.refresh_from_db()
    assert ended.status == ReferralStatus.WITHDRAWN
    assert behind.status == ReferralStatus.WAITING
    assert Referral.objects.active().count() == 1


def test_a_new_acceptance_does_not_jump_the_queue(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    _fill(service, referrer, manager, capacity=1)
    waiting = services.referral_accept(actor=manager, referral=make_referral(referrer))
    service.capacity = 2  # a place appears, e.g. the contract grows
    service.save()
    newcomer = services.referral_accept(actor=manager, referral=make_referral(referrer))
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.ACTIVE
    assert newcomer.status == ReferralStatus.WAITING


@pytest.mark.parametrize("role", ["referrer", "worker_north", "commissioner", "admin_user"])
def test_only_a_manager_triages(
    request: pytest.FixtureRequest, role: str, referrer: User, north: Patch
) -> None:
    referral = make_referral(referrer)
    actor = request.getfixturevalue(role)
    with pytest.raises(NotPermitted):
        services.referral_accept(actor=actor, referral=referral)
    with pytest.raises(NotPermitted):
        services.referral_decline(actor=actor, referral=referral, reason=_decline_reason())
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_manager_of_another_service_cannot_triage(
    referrer: User, outsider: User, north: Patch
) -> None:
    referral = make_referral(referrer)
    with pytest.raises(NotPermitted):
        services.referral_accept(actor=outsider, referral=referral)


def test_a_decided_referral_cannot_be_decided_again(
    referrer: User, manager: User, north: Patch
) -> None:
    referral = services.referral_decline(
        actor=manager, referral=make_referral(referrer), reason=_decline_reason()
    )
    assert referral.status == ReferralStatus.DECLINED
    with pytest.raises(StateChanged):
        services.referral_accept(actor=manager, referral=referral)
    with pytest.raises(StateChanged):
        services.referral_decline(actor=manager, referral=referral, reason=_decline_reason())


def test_decline_reason_other_needs_a_note(referrer: User, manager: User, north: Patch) -> None:
    referral = make_referral(referrer)
    with pytest.raises(RuleBroken, match="Explain"):
        services.referral_decline(
            actor=manager, referral=referral, reason=_decline_reason("decline-other")
        )
    declined = services.referral_decline(
        actor=manager, referral=referral, reason=_decline_reason("decline-other"), note="Duplicate"
    )
    assert declined.decline_note == "Duplicate"


def test_retired_reason_cannot_be_chosen(referrer: User, manager: User, north: Patch) -> None:
    reason = _decline_reason()
    reason.retired_at = timezone.localdate()
    reason.save()
    with pytest.raises(RuleBroken, match="no longer in use"):
        services.referral_decline(actor=manager, referral=make_referral(referrer), reason=reason)


def test_accept_rechecks_eligibility(referrer: User, manager: User, north: Patch) -> None:
    referral = make_referral(referrer)
    Referral.objects.filter(pk=referral.pk).update(consent_given=False)
    with pytest.raises(RuleBroken, match="consent"):
        services.referral_accept(actor=manager, referral=referral)


# Allocation


def test_allocate_to_a_worker_of_the_persons_patch(
    referrer: User, manager: User, worker_north: User
) -> None:
    referral = make_active(referrer, manager)
    services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    referral.refresh_from_db()
    assert referral.worker == worker_north
    assert AuditEvent.objects.filter(action="referral.allocated").count() == 1


def test_allocate_refuses_a_worker_of_another_patch(
    referrer: User, manager: User, worker_north: User, worker_south: User
) -> None:
    referral = make_active(referrer, manager)  # lives in the North patch
    with pytest.raises(RuleBroken, match="does not work in the North patch"):
        services.referral_allocate(actor=manager, referral=referral, worker=worker_south)
    referral.refresh_from_db()
    assert referral.worker is None


def test_allocate_refuses_someone_who_is_not_a_worker(
    referrer: User, manager: User, north: Patch
) -> None:
    referral = make_active(referrer, manager)
    with pytest.raises(RuleBroken, match="support worker"):
        services.referral_allocate(actor=manager, referral=referral, worker=manager)


def test_allocate_refuses_a_person_not_receiving_support(
    referrer: User, manager: User, worker_north: User
) -> None:
    with pytest.raises(StateChanged):
        services.referral_allocate(
            actor=manager, referral=make_referral(referrer), worker=worker_north
        )


def test_allocate_refuses_the_same_worker_twice(
    referrer: User, manager: User, worker_north: User
) -> None:
    referral = make_active(referrer, manager)
    services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    with pytest.raises(RuleBroken, match="already allocated"):
        services.referral_allocate(actor=manager, referral=referral, worker=worker_north)


def test_only_a_manager_allocates(referrer: User, manager: User, worker_north: User) -> None:
    referral = make_active(referrer, manager)
    with pytest.raises(NotPermitted):
        services.referral_allocate(actor=worker_north, referral=referral, worker=worker_north)


# End of support


def test_worker_ends_support_of_their_patch(
    referrer: User, manager: User, worker_north: User
) -> None:
    referral = make_active(referrer, manager)
    ended = services.referral_end(
        actor=worker_north,
        referral=referral,
        reason=_end_reason("sustained-work"),
        closing_summary=SUMMARY,
    )
    assert ended.closing_summary == SUMMARY
    assert ended.status == ReferralStatus.ENDED
    assert ended.end_reason is not None
    assert ended.end_reason.group == "Positive"


def test_worker_of_another_patch_cannot_end_support(
    referrer: User, manager: User, worker_south: User, north: Patch
) -> None:
    referral = make_active(referrer, manager)
    with pytest.raises(NotPermitted):
        services.referral_end(actor=worker_south, referral=referral, reason=_end_reason())


def test_end_needs_a_note_for_other(referrer: User, manager: User, north: Patch) -> None:
    referral = make_active(referrer, manager)
    with pytest.raises(RuleBroken):
        services.referral_end(
            actor=manager,
            referral=referral,
            reason=_end_reason("end-other"),
            closing_summary=SUMMARY,
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACTIVE


def test_support_cannot_end_twice(referrer: User, manager: User, north: Patch) -> None:
    referral = make_active(referrer, manager)
    services.referral_end(
        actor=manager, referral=referral, reason=_end_reason(), closing_summary=SUMMARY
    )
    with pytest.raises(StateChanged):
        services.referral_end(
            actor=manager, referral=referral, reason=_end_reason(), closing_summary=SUMMARY
        )


def test_ending_support_needs_a_closing_summary(
    referrer: User, manager: User, north: Patch
) -> None:
    referral = make_active(referrer, manager)
    with pytest.raises(RuleBroken, match="closing summary"):
        services.referral_end(actor=manager, referral=referral, reason=_end_reason())
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACTIVE


def test_a_referral_awaiting_decision_cannot_be_ended(
    referrer: User, manager: User, north: Patch
) -> None:
    with pytest.raises(StateChanged):
        services.referral_end(actor=manager, referral=make_referral(referrer), reason=_end_reason())


# Amendments


def test_amend_keeps_a_change_log(referrer: User, north: Patch) -> None:
    referral = make_referral(referrer, phone="")
    person = person_data(
        north.areas.get(),
        **{
            name: getattr(referral.participant, name)
            for name in ("first_name", "last_name", "date_of_birth", "crn")
        },
    )
    person["phone"] = "07700 900456"
    details = details_data(ete_needs="Needs a CSCS card and a driving licence.")
    details["order_end_date"] = referral.order_end_date
    details["consent_date"] = referral.consent_date
    amendment = services.referral_amend(
        actor=referrer, referral=referral, person=person, details=details, reason="New number"
    )
    assert amendment.changes["Phone"] == ["", "07700 900456"]
    assert amendment.changes["Ete needs"][1] == "Needs a CSCS card and a driving licence."
    assert set(amendment.changes) == {"Phone", "Ete needs"}
    referral.participant.refresh_from_db()
    assert referral.participant.phone == "07700 900456"
    assert AuditEvent.objects.filter(action="referral.amended").count() == 1


def _unchanged(referral: Referral) -> tuple[dict, dict]:
    from pathways.referrals.services import DETAIL_FIELDS, PERSON_FIELDS

    person = {name: getattr(referral.participant, name) for name in PERSON_FIELDS}
    details = {name: getattr(referral, name) for name in DETAIL_FIELDS}
    return person, details


def test_amend_refuses_no_change_and_no_reason(referrer: User, north: Patch) -> None:
    referral = make_referral(referrer)
    person, details = _unchanged(referral)
    with pytest.raises(RuleBroken, match="not changed anything"):
        services.referral_amend(
            actor=referrer, referral=referral, person=person, details=details, reason="Typo"
        )
    person["phone"] = "01782 000000"
    with pytest.raises(RuleBroken, match="why"):
        services.referral_amend(
            actor=referrer, referral=referral, person=person, details=details, reason=" "
        )
    assert not referral.amendments.exists()


def test_amend_refused_to_another_referrer_and_on_closed_referrals(
    referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    referral = make_referral(referrer)
    person, details = _unchanged(referral)
    person["phone"] = "01782 000000"
    with pytest.raises(NotPermitted):
        services.referral_amend(
            actor=other_referrer, referral=referral, person=person, details=details, reason="x"
        )
    services.referral_decline(actor=manager, referral=referral, reason=_decline_reason())
    with pytest.raises(RuleBroken, match="closed"):
        services.referral_amend(
            actor=referrer, referral=referral, person=person, details=details, reason="x"
        )


def test_amend_refuses_a_crn_that_belongs_to_someone_else(referrer: User, north: Patch) -> None:
    make_referral(referrer, crn="X222222")
    referral = make_referral(referrer, crn="X333333")
    person, details = _unchanged(referral)
    person["crn"] = "X222222"
    with pytest.raises(RuleBroken, match="CRN"):
        services.referral_amend(
            actor=referrer, referral=referral, person=person, details=details, reason="x"
        )
    referral.participant.refresh_from_db()
    assert referral.participant.crn == "X333333"
    assert not referral.amendments.exists()


def test_amending_the_area_of_a_waiting_referral_moves_its_patch(
    referrer: User, manager: User, north: Patch, south: Patch
) -> None:
    referral = make_referral(referrer)
    person, details = _unchanged(referral)
    person["area"] = south.areas.get()
    services.referral_amend(
        actor=manager, referral=referral, person=person, details=details, reason="Moved"
    )
    referral.refresh_from_db()
    assert referral.patch == south


def test_dates_are_the_days_they_happened(referrer: User, manager: User, north: Patch) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False):
        referral = make_referral(referrer)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 14, 0, tzinfo=datetime.UTC), tick=False):
        referral = services.referral_accept(actor=manager, referral=referral)
    assert referral.received_at.date() == datetime.date(2026, 3, 2)
    assert referral.started_at is not None
    assert referral.started_at.date() == datetime.date(2026, 3, 5)
