"""Shared test fixtures: a service with two patches, a persona for every role, and
``records``: one of every kind of record, filling every URL of the access matrix.

``outsider`` is a manager of another service: they must be refused (404) everything here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from pathways.accounts.models import Patch, Service, User
from pathways.accounts.tests.factories import (
    AreaFactory,
    PatchFactory,
    ServiceFactory,
    UserFactory,
)
from pathways.api.services import client_register
from pathways.contacts import services as contacts
from pathways.contacts.models import Mode, OnwardService
from pathways.contacts.services import When
from pathways.contracts import services as contracts
from pathways.contracts.models import Payment
from pathways.core.periods import half_year
from pathways.core.roles import Role
from pathways.employers.models import OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.imports.services import import_file
from pathways.outcomes import services as outcomes
from pathways.placements import services as placements
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.plans import services as plans
from pathways.plans.models import GoalArea
from pathways.referrals.models import OrderType, Referral
from pathways.referrals.tests.factories import NOW, STARTED, make_referral
from pathways.reports import services as reports
from pathways.reports.tasks import generate_board_report


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: cached charts are keyed by record ids, which
    a later test may reuse once an earlier one is rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Transactional tests flush the database, and with it the reference data that data
    migrations load; this puts it back."""
    from django.apps import apps

    from pathways.plans.reference import load_default_instrument
    from pathways.referrals.models import DeclineReason, EndReason
    from pathways.referrals.reference import load_reasons

    load_reasons(DeclineReason, EndReason)
    load_default_instrument(apps)
    load_placement_reference()


def load_placement_reference() -> None:
    """Employers' and placements' reference data (sectors, requirements, offence
    categories, placement end reasons), as their data migrations load it."""
    from pathways.employers.models import OffenceCategory, Requirement, Sector
    from pathways.employers.reference import load_reference
    from pathways.placements.models import PlacementEndReason
    from pathways.placements.reference import load_end_reasons

    load_reference(Sector, Requirement, OffenceCategory)
    load_end_reasons(PlacementEndReason)


@pytest.fixture
def service(db: None) -> Service:
    return ServiceFactory(capacity=30)


@pytest.fixture
def north(service: Service) -> Patch:
    patch = PatchFactory(service=service, name="North")
    AreaFactory(patch=patch, name="Stoke-on-Trent")
    return patch


@pytest.fixture
def south(service: Service) -> Patch:
    patch = PatchFactory(service=service, name="South")
    AreaFactory(patch=patch, name="Tamworth")
    return patch


@pytest.fixture
def referrer(service: Service) -> User:
    return UserFactory(username="referrer", role=Role.REFERRER, service=service)


@pytest.fixture
def other_referrer(service: Service) -> User:
    return UserFactory(username="other-referrer", role=Role.REFERRER, service=service)


@pytest.fixture
def worker_north(service: Service, north: Patch) -> User:
    return UserFactory(username="worker-north", role=Role.WORKER, service=service, patch=north)


@pytest.fixture
def worker_south(service: Service, south: Patch) -> User:
    return UserFactory(username="worker-south", role=Role.WORKER, service=service, patch=south)


@pytest.fixture
def manager(service: Service) -> User:
    return UserFactory(username="manager", role=Role.MANAGER, service=service)


@pytest.fixture
def commissioner(service: Service) -> User:
    return UserFactory(username="commissioner", role=Role.COMMISSIONER, service=service)


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(
        username="admin", role=Role.ADMIN, service=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(db: None) -> User:
    other = ServiceFactory(name="Another county's service")
    return UserFactory(username="outsider", role=Role.MANAGER, service=other)


@pytest.fixture
def personas(
    referrer: User,
    other_referrer: User,
    worker_north: User,
    worker_south: User,
    manager: User,
    commissioner: User,
    admin_user: User,
    outsider: User,
) -> dict[str, User]:
    return {
        "referrer": referrer,
        "other_referrer": other_referrer,
        "worker_north": worker_north,
        "worker_south": worker_south,
        "manager": manager,
        "commissioner": commissioner,
        "admin": admin_user,
        "outsider": outsider,
    }


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """A frozen clock, at the start of the ``case`` fixture's support."""
    with time_machine.travel(STARTED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(
    clock: time_machine.Traveller,
    referrer: User,
    manager: User,
    worker_north: User,
    north: Patch,
) -> Referral:
    """A North referral receiving support since STARTED, allocated to the North worker;
    the clock then stands at NOW."""
    from pathways.referrals import services as referrals
    from pathways.referrals.tests.factories import make_active

    referral = make_active(referrer, manager)
    referrals.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    clock.move_to(NOW)
    referral.refresh_from_db()
    return referral


@pytest.fixture
def records(
    clock: time_machine.Traveller,
    case: Referral,
    personas: dict[str, User],
    north: Patch,
    tmp_path: Path,
) -> dict[str, Any]:
    """The records that fill every URL (see access_matrix.py); the clock stands at NOW."""
    worker, manager = personas["worker_north"], personas["manager"]
    now = datetime.datetime.now(tz=datetime.UTC)
    clock.move_to(STARTED + datetime.timedelta(days=1))
    awaiting = contacts.contact_book(
        actor=worker,
        referral=case,
        when=When(
            starts_at=STARTED + datetime.timedelta(days=2), mode=Mode.PHONE, duration_minutes=30
        ),
    )
    clock.move_to(now)
    booked = contacts.contact_book(
        actor=worker,
        referral=case,
        when=When(
            starts_at=now + datetime.timedelta(days=5),
            mode=Mode.FACE_TO_FACE,
            duration_minutes=60,
            location="Hanley job centre",
        ),
    )
    goal = plans.goal_add(
        actor=worker,
        referral=case,
        title="Get my CSCS card",
        area=GoalArea.QUALIFICATIONS,
        target_date=(now + datetime.timedelta(days=60)).date(),
    )
    step = plans.step_add(actor=worker, goal=goal, description="Book the course")
    onward = contacts.onward_referral_make(
        actor=worker,
        referral=case,
        kind=OnwardService.HOUSING,
        organisation="Stoke Housing Solutions",
        referred_on=(now - datetime.timedelta(days=3)).date(),
    )
    person = case.participant
    make_profile(worker, person)
    employer = make_employer(worker, patch=north)
    job = make_opportunity(worker, employer, kind=OpportunityKind.JOB)
    placement = put_forward(worker, person, job)
    today = now.date()
    placements.placement_decide(actor=worker, placement=placement, accepted=True, on=today)
    placements.placement_start(actor=worker, placement=placement, on=today)
    check = placement.sustainment_checks.order_by("weeks").first()
    assert check is not None
    opportunity = make_opportunity(worker, employer)
    received = make_referral(personas["referrer"], area=north.areas.get())
    order = outcomes.order_record(
        actor=worker,
        participant=person,
        order_type=OrderType.COMMUNITY_ORDER,
        start_date=(now - datetime.timedelta(days=200)).date(),
    )
    service = case.service
    board = reports.board_report_request(
        actor=manager, service=service, period=half_year(today - datetime.timedelta(days=200))
    )
    generate_board_report.call(board.pk)
    extract = tmp_path / "orders.csv"
    extract.write_text(
        "crn,order_type,start_date,expected_end_date,actual_end_date,termination\n"
        f"{person.crn},licence,2023-05-01,,2023-09-01,completed\n"
    )
    batch = import_file(actor=manager, service=service, kind="orders", path=extract)
    contract = contracts.contract_save(
        actor=manager,
        service=service,
        provider="Pathways Provider",
        commissioner="Police and Crime Commissioner",
        reference="PCC/1",
        start_date=datetime.date(2022, 5, 1),
        pilot_end_date=datetime.date(2024, 4, 30),
        notes="",
    )
    payment = contracts.contract_part_save(
        actor=manager,
        contract=contract,
        part=Payment(),
        paid_on=datetime.date(2022, 7, 31),
        amount=Decimal("19375.00"),
        note="",
    )
    return {
        "case": case.pk,
        "received": received.pk,
        "person": person.pk,
        "goal": goal.pk,
        "step": step.pk,
        "awaiting": awaiting.pk,
        "booked": booked.pk,
        "onward": onward.pk,
        "employer": employer.pk,
        "opportunity": opportunity.pk,
        "placement": placement.pk,
        "check": check.pk,
        "order": order.pk,
        "measure": "starts",
        "board": board.pk,
        "pdf": "pdf",
        "batch": batch.pk,
        "csv": "csv",
        "payment": payment.pk,
        "payments": "payments",
        "question": "person",  # the referral's first question page
        "api_client": client_register(
            actor=personas["admin"],
            name="Case system",
            service=case.service,
            scopes=["referrals:read"],
        ).client.pk,
    }
