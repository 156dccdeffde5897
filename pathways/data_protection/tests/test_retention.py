"""The retention schedule and the background purge, on a frozen clock: nothing goes
before its time, everything linked to the person goes after it, open episodes are never
purged, the purge is audited, and the audit trail (kept) still proves its chain."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command

from pathways.accounts.models import User
from pathways.core.models import AuditEvent
from pathways.data_protection.retention import (
    expired_people,
    participant_purge,
    purge_expired_records,
    years_after,
)
from pathways.data_protection.subject_access import subject_access
from pathways.outcomes.models import Order, PeriodSnapshot
from pathways.participants.models import Participant, WorkProfile
from pathways.placements.models import Placement, SustainmentCheck
from pathways.plans.models import Goal, PathwayPlan, Step
from pathways.referrals import services as referrals
from pathways.referrals.models import DeclineReason, EndReason, Referral
from pathways.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_years_after_handles_a_leap_day() -> None:
    leap = datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.UTC)
    assert years_after(leap, 6) == datetime.datetime(2034, 2, 28, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def ended(
    records: dict[str, int], case: Referral, manager: User, clock: time_machine.Traveller
) -> datetime.datetime:
    """The case's support ends now (its records filled by ``records``)."""
    referrals.referral_end(
        actor=manager,
        referral=case,
        reason=EndReason.objects.get(code="sustained-work"),
        closing_summary="Started work.",
    )
    case.refresh_from_db()
    assert case.ended_at is not None
    return case.ended_at


def test_nothing_goes_before_six_years_after_support_ends(
    ended: datetime.datetime, case: Referral, clock: time_machine.Traveller
) -> None:
    clock.move_to(years_after(ended, 6) - datetime.timedelta(days=1))
    assert expired_people(datetime.datetime.now(tz=datetime.UTC)) == []
    assert purge_expired_records.enqueue().return_value == 0
    assert Participant.objects.filter(pk=case.participant_id).exists()


def test_everything_linked_to_the_person_goes_after_six_years(
    ended: datetime.datetime,
    case: Referral,
    records: dict[str, int],
    clock: time_machine.Traveller,
) -> None:
    person = case.participant
    linked = {section.label for section in subject_access(person) if section.rows}
    assert {"plans.goal", "contacts.contact", "placements.sustainmentcheck"} <= linked
    events_before = AuditEvent.objects.count()
    clock.move_to(years_after(ended, 6) + datetime.timedelta(days=1))
    assert expired_people(datetime.datetime.now(tz=datetime.UTC)) == [person.pk]
    assert purge_expired_records.enqueue().return_value == 1
    assert not Participant.objects.filter(pk=person.pk).exists()
    assert not Referral.objects.filter(participant_id=person.pk).exists()
    for model in (PathwayPlan, Goal, Step, Placement, SustainmentCheck, WorkProfile, Order):
        assert not model.objects.exists(), model.__name__  # hand-entered and imported orders
    # The employer and the opportunities are the service's, not the person's: they stay.
    from pathways.employers.models import Employer, Opportunity

    assert Employer.objects.filter(pk=records["employer"]).exists()
    assert Opportunity.objects.filter(pk=records["opportunity"]).exists()
    # The audit trail is kept whole, with the purge recorded, after the periods frozen.
    purge = AuditEvent.objects.get(action="participant.purged")
    assert purge.subject_id == person.pk and purge.actor is None
    assert purge.detail["records"]["plans.goal"] == 1
    frozen = AuditEvent.objects.filter(action="figures.frozen")
    assert frozen.count() == PeriodSnapshot.objects.count() > 0
    assert max(event.pk for event in frozen) < purge.pk
    assert AuditEvent.objects.filter(pk__lt=purge.pk).count() == events_before + frozen.count()
    # (The same daily purge then took the error report of the records' import.)
    after = AuditEvent.objects.filter(pk__gt=purge.pk).values_list("action", flat=True)
    assert list(after) == ["importbatch.report_purged"]
    call_command("verify_audit")


def test_a_declined_referral_goes_after_two_years(
    manager: User, referrer: User, north: object
) -> None:
    start = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        referral = make_referral(referrer)
        referrals.referral_decline(
            actor=manager,
            referral=referral,
            reason=DeclineReason.objects.get(code="in-work-or-education"),
        )
        clock.move_to(years_after(start, 2) - datetime.timedelta(days=1))
        assert expired_people(datetime.datetime.now(tz=datetime.UTC)) == []
        clock.move_to(years_after(start, 2) + datetime.timedelta(days=1))
        assert expired_people(datetime.datetime.now(tz=datetime.UTC)) == [referral.participant_id]


def test_a_person_with_an_open_referral_is_never_purged(
    case: Referral, clock: time_machine.Traveller
) -> None:
    clock.move_to(datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC))
    assert expired_people(datetime.datetime.now(tz=datetime.UTC)) == []


def test_the_purge_is_enqueued_by_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("purge_expired")
    assert "Purge enqueued" in capsys.readouterr().out


def test_one_person_can_be_purged_at_once(ended: datetime.datetime, case: Referral) -> None:
    counts = participant_purge(participant_id=case.participant_id)
    assert counts["participants.participant"] == 1
    assert counts["referrals.referral"] == 1
