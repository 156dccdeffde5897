"""An opportunity's status (placements own it: it needs the places taken), derived on a
row and in the database, always agrees; and the places taken are counted once."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.employers.models import Employer, Opportunity
from pathways.employers.tests.factories import make_opportunity
from pathways.placements.models import Placement
from pathways.placements.opportunities import (
    OpportunityStatus,
    in_status,
    open_opportunities,
    rules,
    status_of,
    with_status,
)
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.referrals.tests.factories import make_active

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_status_on_the_row_and_in_the_database_agree(
    referrer: User, manager: User, worker_north: User, north: Patch, employer: Employer
) -> None:
    opportunity = make_opportunity(worker_north, employer, places_available=3)
    placements = []
    for _ in range(4):
        person = make_active(referrer, manager, area=north.areas.get()).participant
        make_profile(worker_north, person)
        placements.append(put_forward(worker_north, person, opportunity).pk)
    today = timezone.localdate()
    # Accepted and then ended early: it gives its place back, so it never counts.
    Placement.objects.filter(pk=placements.pop()).update(accepted_on=today, ended_early_on=today)
    seen = set()
    facts = itertools.product(
        (None, timezone.now()),  # closed early
        (None, today - DAY, today, today + DAY),  # closing date
        (1, 2, 3),  # places available
        range(4),  # places taken
    )
    for closed_at, closing_date, places, taken in facts:
        Opportunity.objects.filter(pk=opportunity.pk).update(
            closed_at=closed_at, closing_date=closing_date, places_available=places
        )
        Placement.objects.filter(pk__in=placements[:taken]).update(accepted_on=today)
        Placement.objects.filter(pk__in=placements[taken:]).update(accepted_on=None)
        row = with_status(Opportunity.objects.filter(pk=opportunity.pk)).get()
        assert getattr(row, "places_taken") == taken  # noqa: B009 - an annotation
        assert Placement.objects.places_taken(row) == taken
        status = rules(today).of(row)
        assert getattr(row, "status_code") == status  # noqa: B009 - an annotation
        assert status_of(row, taken, today) == status
        for each in OpportunityStatus:
            found = in_status(Opportunity.objects.filter(pk=row.pk), each).exists()
            assert found == (status == each)
        is_open = open_opportunities(Opportunity.objects.filter(pk=row.pk)).exists()
        assert is_open == (status == OpportunityStatus.OPEN)
        seen.add(status)
    assert seen == set(OpportunityStatus)
