"""Placement services: the rules each change keeps, and what each writes to the audit."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent
from pathways.employers import services as employer_services
from pathways.employers.models import Employer, Opportunity, OpportunityKind
from pathways.employers.tests.factories import make_opportunity
from pathways.participants.models import Participant
from pathways.placements import selectors, services
from pathways.placements.models import Placement, PlacementEndReason
from pathways.placements.opportunities import OpportunityStatus, with_status
from pathways.placements.status import PlacementStatus, status_of
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_active

pytestmark = pytest.mark.django_db


def _status(opportunity: Opportunity) -> str:
    row = with_status(Opportunity.objects.filter(pk=opportunity.pk)).get()
    return str(getattr(row, "status_code"))  # noqa: B009 - an annotation


def _another_person(referrer: User, manager: User, worker: User, north: Patch) -> Participant:
    referral = make_active(referrer, manager, area=north.areas.get())
    make_profile(worker, referral.participant)
    return referral.participant


def test_put_forward_records_and_audits_on_the_persons_timeline(
    worker_north: User, person: Participant, opportunity: Opportunity, active: Referral
) -> None:
    placement = put_forward(worker_north, person, opportunity, note="Keen")
    assert placement.status == PlacementStatus.PUT_FORWARD
    assert placement.referral == active
    event = AuditEvent.objects.get(action="placement.put_forward")
    assert event.subject_id == person.pk
    assert opportunity.title in event.summary


def test_put_forward_twice_is_refused(
    worker_north: User, person: Participant, opportunity: Opportunity
) -> None:
    put_forward(worker_north, person, opportunity)
    with pytest.raises(RuleBroken, match="already put forward"):
        put_forward(worker_north, person, opportunity)


def test_put_forward_refused_when_an_exclusion_applies(
    worker_north: User, person: Participant, employer: Employer
) -> None:
    make_profile(worker_north, person, offences=("arson",))
    opportunity = make_opportunity(worker_north, employer, excluded=("arson", "sexual"))
    with pytest.raises(RuleBroken, match="excludes an offence category"):
        put_forward(worker_north, person, opportunity)


def test_put_forward_outside_scope_is_not_permitted(
    worker_south: User, person: Participant, opportunity: Opportunity
) -> None:
    with pytest.raises(NotPermitted):
        put_forward(worker_south, person, opportunity)


def test_only_people_receiving_support_are_put_forward(
    referrer: User, worker_north: User, opportunity: Opportunity, north: Patch
) -> None:
    from pathways.referrals.tests.factories import make_referral

    received = make_referral(referrer, area=north.areas.get())
    with pytest.raises(RuleBroken, match="receiving support"):
        put_forward(worker_north, received.participant, opportunity)


def test_closed_opportunity_takes_nobody(
    worker_north: User, person: Participant, opportunity: Opportunity
) -> None:
    employer_services.opportunity_close(actor=worker_north, opportunity=opportunity)
    assert _status(opportunity) == OpportunityStatus.CLOSED
    with pytest.raises(StateChanged, match="closed"):
        put_forward(worker_north, person, opportunity)
    with pytest.raises(StateChanged):
        employer_services.opportunity_close(actor=worker_north, opportunity=opportunity)


def test_places_are_never_overbooked_and_an_early_end_frees_one(
    referrer: User,
    manager: User,
    worker_north: User,
    north: Patch,
    employer: Employer,
) -> None:
    opportunity = make_opportunity(worker_north, employer, places_available=1)
    today = timezone.localdate()
    first, second = (_another_person(referrer, manager, worker_north, north) for _ in range(2))
    a = put_forward(worker_north, first, opportunity)
    b = put_forward(worker_north, second, opportunity)
    services.placement_decide(actor=worker_north, placement=a, accepted=True, on=today)
    assert _status(opportunity) == OpportunityStatus.FILLED
    with pytest.raises(RuleBroken, match="All 1 places"):
        services.placement_decide(actor=worker_north, placement=b, accepted=True, on=today)
    reason = PlacementEndReason.objects.get(code="not-for-them")
    services.placement_end_early(actor=worker_north, placement=a, on=today, reason=reason)
    assert Placement.objects.get(pk=a.pk).status == PlacementStatus.WITHDRAWN
    assert _status(opportunity) == OpportunityStatus.OPEN
    services.placement_decide(actor=worker_north, placement=b, accepted=True, on=today)
    assert _status(opportunity) == OpportunityStatus.FILLED


def test_a_decision_is_made_once(
    worker_north: User, person: Participant, opportunity: Opportunity
) -> None:
    placement = put_forward(worker_north, person, opportunity)
    today = timezone.localdate()
    services.placement_decide(actor=worker_north, placement=placement, accepted=False, on=today)
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.DECLINED
    with pytest.raises(StateChanged):
        services.placement_decide(actor=worker_north, placement=placement, accepted=True, on=today)


def test_dates_cannot_be_in_the_future_or_before_the_start(
    worker_north: User, person: Participant, opportunity: Opportunity
) -> None:
    placement = put_forward(worker_north, person, opportunity)
    today = timezone.localdate()
    with pytest.raises(RuleBroken, match="today or in the past"):
        services.placement_decide(
            actor=worker_north,
            placement=placement,
            accepted=True,
            on=today + datetime.timedelta(days=1),
        )
    with pytest.raises(RuleBroken, match="before the person was put forward"):
        services.placement_decide(
            actor=worker_north,
            placement=placement,
            accepted=True,
            on=today - datetime.timedelta(days=1),
        )


def test_start_and_complete_a_work_placement(
    worker_north: User, person: Participant, opportunity: Opportunity
) -> None:
    placement = put_forward(worker_north, person, opportunity)
    today = timezone.localdate()
    services.placement_decide(actor=worker_north, placement=placement, accepted=True, on=today)
    with pytest.raises(StateChanged):
        services.placement_complete(actor=worker_north, placement=placement, on=today)
    services.placement_start(actor=worker_north, placement=placement, on=today)
    assert not placement.sustainment_checks.exists()  # work placements have none
    services.placement_complete(actor=worker_north, placement=placement, on=today)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.COMPLETED
    actions = list(
        AuditEvent.objects.filter(subject_id=person.pk, action__startswith="placement.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "placement.put_forward",
        "placement.accepted",
        "placement.started",
        "placement.completed",
    ]


def test_ending_early_with_other_needs_a_note(
    worker_north: User, person: Participant, opportunity: Opportunity
) -> None:
    placement = put_forward(worker_north, person, opportunity)
    today = timezone.localdate()
    services.placement_decide(actor=worker_north, placement=placement, accepted=True, on=today)
    services.placement_start(actor=worker_north, placement=placement, on=today)
    other = PlacementEndReason.objects.get(code="placement-end-other")
    with pytest.raises(RuleBroken, match="Explain"):
        services.placement_end_early(
            actor=worker_north, placement=placement, on=today, reason=other
        )
    recall = PlacementEndReason.objects.get(code="recall-custody")
    services.placement_end_early(actor=worker_north, placement=placement, on=today, reason=recall)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED_EARLY
    assert placement.end_reason is not None and placement.end_reason.group == "Circumstances"


def test_job_start_has_sustainment_checks_at_4_13_and_26_weeks(
    worker_north: User, person: Participant, employer: Employer
) -> None:
    with time_machine.travel(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC), tick=False):
        job = make_opportunity(worker_north, employer, kind=OpportunityKind.JOB)
        placement = put_forward(worker_north, person, job)
        day = datetime.date(2026, 1, 5)
        services.placement_decide(actor=worker_north, placement=placement, accepted=True, on=day)
        services.placement_start(actor=worker_north, placement=placement, on=day)
    checks = list(placement.sustainment_checks.order_by("weeks"))
    assert [(c.weeks, c.due_on) for c in checks] == [
        (4, datetime.date(2026, 2, 2)),
        (13, datetime.date(2026, 4, 6)),
        (26, datetime.date(2026, 7, 6)),
    ]
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)):
        assert list(selectors.sustainment_checks_due_for(worker_north)) == []
    with time_machine.travel(datetime.datetime(2026, 4, 6, 12, tzinfo=datetime.UTC)):
        due = list(selectors.sustainment_checks_due_for(worker_north))
        assert [c.weeks for c in due] == [4, 13]
        services.sustainment_check_record(
            actor=worker_north, check=due[0], checked_on=datetime.date(2026, 4, 6), in_work=True
        )
        assert [c.weeks for c in selectors.sustainment_checks_due_for(worker_north)] == [13]
        with pytest.raises(StateChanged):
            services.sustainment_check_record(
                actor=worker_north,
                check=due[0],
                checked_on=datetime.date(2026, 4, 6),
                in_work=False,
            )
    event = AuditEvent.objects.get(action="placement.sustainment_checked")
    assert event.subject_id == person.pk and "4-week check: in work" in event.summary


def test_sustainment_checks_due_show_only_to_the_persons_worker_and_manager(
    worker_north: User, worker_south: User, manager: User, person: Participant, employer: Employer
) -> None:
    job = make_opportunity(worker_north, employer, kind=OpportunityKind.JOB)
    placement = put_forward(worker_north, person, job)
    start = timezone.localdate()
    services.placement_decide(actor=worker_north, placement=placement, accepted=True, on=start)
    services.placement_start(actor=worker_north, placement=placement, on=start)
    later = start + datetime.timedelta(weeks=5)
    assert len(selectors.sustainment_checks_due_for(worker_north, today=later)) == 1
    assert len(selectors.sustainment_checks_due_for(manager, today=later)) == 1
    assert len(selectors.sustainment_checks_due_for(worker_south, today=later)) == 0


def test_work_profile_starts_from_the_referral(
    worker_north: User, referrer: User, manager: User, north: Patch
) -> None:
    from pathways.referrals.models import Referral as ReferralModel

    referral = make_active(referrer, manager, area=north.areas.get())
    ReferralModel.objects.filter(pk=referral.pk).update(
        risk_flags=["driving", "curfew"], risk_information="Curfew 7pm to 7am."
    )
    referral.refresh_from_db()
    initial = services.work_profile_initial(referral.participant, referral)
    assert initial["restrictions"] == ["driving", "curfew"]
    assert initial["restriction_notes"] == "Curfew 7pm to 7am."
    assert [c.code for c in initial["offence_categories"]] == ["driving"]
    profile = make_profile(worker_north, referral.participant, holds=("cscs-card",))
    again = services.work_profile_initial(referral.participant, referral)
    assert [r.code for r in again["holds"]] == ["cscs-card"]
    assert again["restrictions"] == []
    assert (
        AuditEvent.objects.get(action="work_profile.created").subject_id == profile.participant_id
    )


def test_referrer_cannot_change_work_profiles_or_placements(
    referrer: User, person: Participant, opportunity: Opportunity
) -> None:
    with pytest.raises(NotPermitted):
        make_profile(referrer, person)
    with pytest.raises(NotPermitted):
        put_forward(referrer, person, opportunity)


def test_status_in_the_database_agrees_with_the_row(
    worker_north: User,
    referrer: User,
    manager: User,
    north: Patch,
    employer: Employer,
) -> None:
    opportunity = make_opportunity(worker_north, employer, places_available=9)
    today = timezone.localdate()
    reason = PlacementEndReason.objects.get(code="dismissed")
    placements = []
    for step in range(7):
        person = _another_person(referrer, manager, worker_north, north)
        p = put_forward(worker_north, person, opportunity)
        if step == 1:
            services.placement_decide(actor=worker_north, placement=p, accepted=False, on=today)
        if step >= 2:
            services.placement_decide(actor=worker_north, placement=p, accepted=True, on=today)
        if step >= 3:
            services.placement_start(actor=worker_north, placement=p, on=today)
        if step == 4:
            services.placement_complete(actor=worker_north, placement=p, on=today)
        if step == 5:
            services.placement_end_early(actor=worker_north, placement=p, on=today, reason=reason)
        placements.append(p.pk)
    rows = Placement.objects.filter(pk__in=placements).with_status()
    codes = {row.pk: getattr(row, "status_code") for row in rows}  # noqa: B009 - annotation
    assert set(codes.values()) == {
        s.value for s in PlacementStatus if s != PlacementStatus.WITHDRAWN
    }
    for row in rows:
        assert codes[row.pk] == status_of(row).value


def test_measures_count_opportunities_by_kind_and_people_by_stage(
    worker_north: User, person: Participant, employer: Employer, service: object
) -> None:
    today = timezone.localdate()
    job = make_opportunity(worker_north, employer, kind=OpportunityKind.JOB)
    make_opportunity(worker_north, employer, kind=OpportunityKind.TRAINING)
    make_opportunity(worker_north, employer, kind=OpportunityKind.TRAINING)
    placement = put_forward(worker_north, person, job)
    services.placement_decide(actor=worker_north, placement=placement, accepted=True, on=today)
    services.placement_start(actor=worker_north, placement=placement, on=today)
    assert selectors.opportunities_created(employer.service, today, today) == {
        "training": 2,
        "work": 0,
        "job": 1,
    }
    yesterday = today - datetime.timedelta(days=1)
    assert selectors.opportunities_created(employer.service, yesterday, yesterday)["job"] == 0
    assert selectors.placement_participant_counts(employer.service, today, today) == {
        "put_forward": 1,
        "started": 1,
        "completed": 0,
    }
