"""Places on an opportunity are never overbooked when workers decide at the same moment
(PostgreSQL row locks)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.core.errors import RuleBroken, StateChanged
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.placements import services
from pathways.placements.models import Placement
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.referrals.tests.factories import make_active
from pathways.referrals.tests.test_concurrency import _race as race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL's row locks (set DATABASE_URL)")


def test_parallel_acceptances_never_overbook_an_opportunity(
    referrer: User, manager: User, worker_north: User, north: Patch
) -> None:
    opportunity = make_opportunity(
        worker_north, make_employer(worker_north, patch=north), places_available=3
    )
    placements = []
    for _ in range(12):
        person = make_active(referrer, manager, area=north.areas.get()).participant
        make_profile(manager, person)
        placements.append(put_forward(manager, person, opportunity))
    today = timezone.localdate()
    jobs: list[Callable[[], object]] = [
        partial(services.placement_decide, actor=manager, placement=p, accepted=True, on=today)
        for p in placements
    ]
    outcomes = race(jobs)
    assert sum(outcome is None for outcome in outcomes) == 3
    assert all(isinstance(o, RuleBroken) for o in outcomes if o is not None)
    assert Placement.objects.filter(opportunity=opportunity).taking_place().count() == 3


def test_the_same_decision_twice_at_once_is_made_once(
    referrer: User, manager: User, worker_north: User, north: Patch
) -> None:
    opportunity = make_opportunity(worker_north, make_employer(worker_north, patch=north))
    person = make_active(referrer, manager, area=north.areas.get()).participant
    make_profile(manager, person)
    placement = put_forward(manager, person, opportunity)
    today = timezone.localdate()
    outcomes = race(
        [
            partial(
                services.placement_decide,
                actor=manager,
                placement=placement,
                accepted=True,
                on=today,
            )
        ]
        * 5
    )
    assert sum(outcome is None for outcome in outcomes) == 1
    assert all(isinstance(o, StateChanged) for o in outcomes if o is not None)


def test_fewer_places_and_an_acceptance_at_once_never_overbook(
    referrer: User, manager: User, worker_north: User, north: Patch
) -> None:
    """Changing the opportunity locks its row as an acceptance does: of a cut to two places
    and a third acceptance made at the same moment, exactly one succeeds."""
    from pathways.employers.models import Opportunity
    from pathways.employers.services import OPPORTUNITY_FIELDS

    opportunity = make_opportunity(
        worker_north, make_employer(worker_north, patch=north), places_available=3
    )
    today = timezone.localdate()
    placements = []
    for _ in range(3):
        person = make_active(referrer, manager, area=north.areas.get()).participant
        make_profile(manager, person)
        placements.append(put_forward(manager, person, opportunity))
    for placement in placements[:2]:
        services.placement_decide(actor=manager, placement=placement, accepted=True, on=today)
    data = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
    data["places_available"] = 2
    outcomes = race(
        [
            partial(
                services.placement_decide,
                actor=manager,
                placement=placements[2],
                accepted=True,
                on=today,
            ),
            partial(
                services.opportunity_update,
                actor=worker_north,
                opportunity=opportunity,
                data=data,
            ),
        ]
    )
    assert sum(outcome is None for outcome in outcomes) == 1
    assert all(isinstance(o, RuleBroken) for o in outcomes if o is not None)
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    taken = Placement.objects.filter(opportunity=opportunity).taking_place().count()
    assert taken <= opportunity.places_available
