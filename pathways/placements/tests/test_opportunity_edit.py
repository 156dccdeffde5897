"""Changing an opportunity: who may, what is refused (below the places taken, closed, a
closing date in the past, a new type once people are put forward), what the audit says,
and the page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent
from pathways.employers import services as employer_services
from pathways.employers.models import (
    Employer,
    ExclusionPolicy,
    OffenceCategory,
    Opportunity,
    OpportunityKind,
    Requirement,
)
from pathways.employers.services import OPPORTUNITY_FIELDS
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.placements import services as placement_services
from pathways.placements.opportunities import with_status
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.referrals.tests.factories import make_active

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer(worker_north: User, north: Patch) -> Employer:
    return make_employer(worker_north, patch=north)


@pytest.fixture
def opportunity(worker_north: User, employer: Employer) -> Opportunity:
    return make_opportunity(worker_north, employer, places_available=3)


def _data(opportunity: Opportunity, **changes: Any) -> dict[str, Any]:
    data = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
    data.update(changes)
    return data


def _update(actor: User, opportunity: Opportunity, **changes: Any) -> Opportunity:
    return placement_services.opportunity_update(
        actor=actor, opportunity=opportunity, data=_data(opportunity, **changes)
    )


def _accept_two(
    referrer: User, manager: User, worker: User, north: Patch, opportunity: Opportunity
) -> None:
    today = timezone.localdate()
    for _ in range(2):
        person = make_active(referrer, manager, area=north.areas.get()).participant
        make_profile(worker, person)
        placement = put_forward(worker, person, opportunity)
        placement_services.placement_decide(
            actor=worker, placement=placement, accepted=True, on=today
        )


def test_a_change_is_saved_and_audited_with_field_names_not_values(
    worker_south: User, opportunity: Opportunity
) -> None:
    """Any worker of the service may change it (opportunities are service-wide)."""
    cscs = Requirement.objects.get(code="cscs-card")
    placement_services.opportunity_update(
        actor=worker_south,
        opportunity=opportunity,
        data=_data(opportunity, places_available=5, pay="£13 an hour"),
        requirements=[cscs],
    )
    opportunity.refresh_from_db()
    assert opportunity.places_available == 5
    assert opportunity.pay == "£13 an hour"
    assert list(opportunity.requirements.all()) == [cscs]
    event = AuditEvent.objects.get(action="opportunity.changed")
    assert event.detail == {"fields": ["places_available", "pay", "requirements"]}
    assert event.subject_id is None
    # The new value is not in the trail (the title's own number may hold "13": a whole value).
    assert "£13" not in event.summary and "13 an hour" not in event.summary


def test_places_cannot_go_below_the_places_taken(
    referrer: User, manager: User, worker_north: User, north: Patch, opportunity: Opportunity
) -> None:
    _accept_two(referrer, manager, worker_north, north, opportunity)
    with pytest.raises(RuleBroken, match="2 places on this opportunity are already taken"):
        _update(worker_north, opportunity, places_available=1)
    _update(worker_north, opportunity, places_available=2)  # exactly the places taken: filled
    row = with_status(Opportunity.objects.filter(pk=opportunity.pk)).get()
    assert getattr(row, "status_code") == "filled"  # noqa: B009 - an annotation


def test_a_closed_opportunity_cannot_be_changed(
    worker_north: User, opportunity: Opportunity
) -> None:
    employer_services.opportunity_close(actor=worker_north, opportunity=opportunity)
    with pytest.raises(StateChanged, match="closed, so it cannot be changed"):
        _update(worker_north, opportunity, title="Something else")


def test_a_closing_date_that_has_passed_closes_it_for_changes(
    worker_north: User, employer: Employer, clock: Any
) -> None:
    opportunity = make_opportunity(
        worker_north, employer, closing_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    clock.shift(datetime.timedelta(days=3))
    with pytest.raises(StateChanged, match="closed"):
        _update(worker_north, opportunity, title="Something else")


def test_the_closing_date_may_not_move_into_the_past(
    worker_north: User, opportunity: Opportunity
) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(RuleBroken, match="today or in the future"):
        _update(worker_north, opportunity, closing_date=yesterday)
    _update(worker_north, opportunity, closing_date=timezone.localdate())


def test_the_type_is_fixed_once_someone_is_put_forward(
    referrer: User, manager: User, worker_north: User, north: Patch, opportunity: Opportunity
) -> None:
    _update(worker_north, opportunity, kind=OpportunityKind.TRAINING)
    person = make_active(referrer, manager, area=north.areas.get()).participant
    make_profile(worker_north, person)
    put_forward(worker_north, person, opportunity)
    opportunity.refresh_from_db()
    with pytest.raises(RuleBroken, match="type cannot be changed"):
        _update(worker_north, opportunity, kind=OpportunityKind.JOB)


def test_exclusions_are_cleared_unless_the_policy_is_by_category(
    worker_north: User, employer: Employer
) -> None:
    opportunity = make_opportunity(worker_north, employer, excluded=("arson",))
    placement_services.opportunity_update(
        actor=worker_north,
        opportunity=opportunity,
        data=_data(opportunity, exclusion_policy=ExclusionPolicy.CASE_BY_CASE),
        excluded_categories=list(OffenceCategory.objects.filter(code="arson")),
    )
    assert not opportunity.excluded_categories.exists()
    event = AuditEvent.objects.get(action="opportunity.changed")
    assert event.detail == {"fields": ["exclusion_policy", "excluded_categories"]}


def test_nothing_changed_is_said(worker_north: User, opportunity: Opportunity) -> None:
    with pytest.raises(RuleBroken, match="not changed anything"):
        _update(worker_north, opportunity)


@pytest.mark.parametrize("role", ["referrer", "commissioner", "admin", "outsider"])
def test_other_roles_cannot_change_it(
    personas: dict[str, User], opportunity: Opportunity, role: str
) -> None:
    with pytest.raises(NotPermitted):
        _update(personas[role], opportunity, title="Something else")
    assert not AuditEvent.objects.filter(action="opportunity.changed").exists()


def _post_data(opportunity: Opportunity, **changes: str) -> dict[str, str]:
    data = {
        "kind": opportunity.kind,
        "title": opportunity.title,
        "sector": str(opportunity.sector_id),
        "places_available": str(opportunity.places_available),
        "patch": str(opportunity.patch_id),
        "location": opportunity.location,
        "hours": "",
        "pay": "",
        "dbs_level": opportunity.dbs_level,
        "exclusion_policy": opportunity.exclusion_policy,
        "exclusion_details": "",
        **{
            f"{d}-{p}": "" for d in ("start_date", "closing_date") for p in ("day", "month", "year")
        },
    }
    data.update(changes)
    return data


def test_the_page_changes_it_and_shows_refusals(
    client: Client,
    referrer: User,
    manager: User,
    worker_north: User,
    north: Patch,
    opportunity: Opportunity,
) -> None:
    client.force_login(worker_north)
    detail = client.get(f"/employers/opportunities/{opportunity.pk}/").content.decode()
    assert f'href="/employers/opportunities/{opportunity.pk}/edit/"' in detail
    page = client.get(f"/employers/opportunities/{opportunity.pk}/edit/").content.decode()
    assert "Change the opportunity" in page and f'value="{opportunity.title}"' in page
    _accept_two(referrer, manager, worker_north, north, opportunity)
    page = client.post(
        f"/employers/opportunities/{opportunity.pk}/edit/",
        _post_data(opportunity, places_available="1"),
    ).content.decode()
    assert "2 places on this opportunity are already taken" in page
    response = client.post(
        f"/employers/opportunities/{opportunity.pk}/edit/",
        _post_data(opportunity, title="Groundworks labourer"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/employers/opportunities/{opportunity.pk}/"
    opportunity.refresh_from_db()
    assert opportunity.title == "Groundworks labourer"


def test_the_page_of_a_closed_opportunity_says_it_cannot_be_changed(
    client: Client, worker_north: User, opportunity: Opportunity
) -> None:
    employer_services.opportunity_close(actor=worker_north, opportunity=opportunity)
    client.force_login(worker_north)
    detail = client.get(f"/employers/opportunities/{opportunity.pk}/").content.decode()
    assert "/edit/" not in detail and "closed, so it cannot be changed" in detail
    response = client.get(f"/employers/opportunities/{opportunity.pk}/edit/", follow=True)
    assert response.redirect_chain == [(f"/employers/opportunities/{opportunity.pk}/", 302)]
    assert "closed, so it cannot be changed" in response.content.decode()
    response = client.post(
        f"/employers/opportunities/{opportunity.pk}/edit/",
        _post_data(opportunity, title="Something else"),
    )
    opportunity.refresh_from_db()
    assert opportunity.title != "Something else"
