"""A placement and its sustainment checks carry their referral's service: set once when each
is made, always equal to the referral's, and a filter added to the referral scope, never a
scope of its own."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from pathways.accounts.models import Service, User
from pathways.employers.models import Employer, OpportunityKind
from pathways.employers.tests.factories import make_opportunity
from pathways.participants.models import Participant
from pathways.placements import services
from pathways.placements.access import placements_for, sustainment_checks_for
from pathways.placements.models import Placement, SustainmentCheck
from pathways.placements.tests.factories import put_forward
from pathways.referrals.access import scope_service_id, whole_service_id
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("pathways.placements.migrations.0004_service")


def assert_services_follow_referrals() -> None:
    """Every placement's service is its referral's, and every check's its placement's."""
    assert Placement.objects.count() > 0
    assert not Placement.objects.exclude(service_id=F("referral__service_id")).exists()
    assert not SustainmentCheck.objects.exclude(service_id=F("placement__service_id")).exists()


def _job_started(worker: User, person: Participant, employer: Employer) -> Placement:
    job = make_opportunity(worker, employer, kind=OpportunityKind.JOB)
    placement = put_forward(worker, person, job)
    day = datetime.date.today()
    services.placement_decide(actor=worker, placement=placement, accepted=True, on=day)
    return services.placement_start(actor=worker, placement=placement, on=day)


def test_a_placement_and_its_checks_get_the_referrals_service(
    worker_north: User, person: Participant, employer: Employer, active: Referral
) -> None:
    placement = _job_started(worker_north, person, employer)
    placement.refresh_from_db()
    assert placement.service_id == active.service_id
    checks = SustainmentCheck.objects.filter(placement=placement)
    assert checks.count() == 3
    assert set(checks.values_list("service_id", flat=True)) == {active.service_id}
    assert_services_follow_referrals()


def test_the_service_given_is_never_taken_the_referrals_is(
    worker_north: User, person: Participant, employer: Employer, active: Referral
) -> None:
    other = Service.objects.create(name="Elsewhere", slug="elsewhere", capacity=5)
    opportunity = make_opportunity(worker_north, employer)
    made = Placement.objects.create(
        referral=active,
        participant=person,
        opportunity=opportunity,
        put_forward_by=worker_north,
        service=other,
    )
    made.refresh_from_db()
    assert made.service_id == active.service_id
    check = SustainmentCheck.objects.create(
        placement=made, weeks=4, due_on=datetime.date.today(), service=other
    )
    check.refresh_from_db()
    assert check.service_id == active.service_id
    # A later save (a change of state) keeps it.
    made.put_forward_note = "Changed"
    made.save()
    made.refresh_from_db()
    assert made.service_id == active.service_id


def test_a_managers_scope_is_the_column_a_workers_also_their_referrals(
    worker_north: User,
    worker_south: User,
    manager: User,
    outsider: User,
    person: Participant,
    employer: Employer,
) -> None:
    placement = _job_started(worker_north, person, employer)
    assert placements_for(manager).filter(pk=placement.pk).exists()
    assert placements_for(worker_north).filter(pk=placement.pk).exists()
    assert not placements_for(worker_south).filter(pk=placement.pk).exists()
    assert not placements_for(outsider).filter(pk=placement.pk).exists()
    assert sustainment_checks_for(manager).filter(placement=placement).count() == 3
    assert sustainment_checks_for(worker_north).filter(placement=placement).count() == 3
    assert not sustainment_checks_for(worker_south).filter(placement=placement).exists()
    assert not sustainment_checks_for(outsider).filter(placement=placement).exists()
    # The manager's query is the column alone; the worker's keeps the referral test.
    assert "referrals_referral" not in str(placements_for(manager).query)
    assert "referrals_referral" in str(placements_for(worker_north).query)

    # A row whose column disagreed with its referral (never made by the app): the worker
    # of the referral does not see it, since the column narrows their referral scope.
    Placement.objects.filter(pk=placement.pk).update(service=outsider.service)
    SustainmentCheck.objects.filter(placement=placement).update(service=outsider.service)
    assert not placements_for(worker_north).filter(pk=placement.pk).exists()
    assert not sustainment_checks_for(worker_north).filter(placement=placement).exists()


def test_a_referrers_placements_are_not_filtered_by_service(
    referrer: User, worker_north: User, person: Participant, employer: Employer, active: Referral
) -> None:
    placement = put_forward(worker_north, person, make_opportunity(worker_north, employer))
    assert active.referred_by == referrer
    assert list(placements_for(referrer)) == [placement]


def test_scope_service_id_is_a_worker_or_managers_service(personas: dict[str, User]) -> None:
    service_id = personas["manager"].service_id
    assert scope_service_id(personas["manager"]) == service_id
    assert scope_service_id(personas["worker_north"]) == service_id
    assert scope_service_id(personas["outsider"]) == personas["outsider"].service_id
    for role in ("referrer", "commissioner", "admin"):
        assert scope_service_id(personas[role]) is None, role


def test_whole_service_id_is_a_managers_service_only(personas: dict[str, User]) -> None:
    """Only where the referral scope is the whole service (a manager's)."""
    assert whole_service_id(personas["manager"]) == personas["manager"].service_id
    assert whole_service_id(personas["outsider"]) == personas["outsider"].service_id
    for role in ("referrer", "worker_north", "worker_south", "commissioner", "admin"):
        assert whole_service_id(personas[role]) is None, role


def test_the_migration_fills_the_service_from_the_referral(
    worker_north: User, person: Participant, employer: Employer, active: Referral
) -> None:
    placement = _job_started(worker_north, person, employer)
    other = Service.objects.create(name="Elsewhere", slug="elsewhere", capacity=5)
    Placement.objects.filter(pk=placement.pk).update(service=other)
    SustainmentCheck.objects.update(service=other)
    with connection.cursor() as cursor:
        for statement in fill_migration.FILL:
            cursor.execute(statement)
    assert_services_follow_referrals()


def test_the_records_fixtures_placements_follow_their_referrals(records: Any) -> None:
    assert_services_follow_referrals()
