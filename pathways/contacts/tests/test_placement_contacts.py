"""Contacts at or about a placement: only the episode's own placements, one is needed when
the contact is held at the placement, and the placement's page lists its contacts."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.contacts import services
from pathways.contacts.models import Attendance, Contact, Mode
from pathways.contacts.services import Outcome, When
from pathways.core.errors import RuleBroken
from pathways.data_protection.subject_access import subject_access
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.placements import services as placement_services
from pathways.placements.models import Placement
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW, make_active

pytestmark = pytest.mark.django_db

TOOK_PLACE = Outcome(happened=True, attended=Attendance.YES, notes="Settling in well")


@pytest.fixture
def placement(case: Referral, worker_north: User, north: Patch) -> Placement:
    make_profile(worker_north, case.participant)
    opportunity = make_opportunity(worker_north, make_employer(worker_north, patch=north))
    placement = put_forward(worker_north, case.participant, opportunity)
    today = timezone.localdate()
    placement_services.placement_decide(
        actor=worker_north, placement=placement, accepted=True, on=today
    )
    placement_services.placement_start(actor=worker_north, placement=placement, on=today)
    return placement


@pytest.fixture
def elsewhere(
    referrer: User, manager: User, worker_north: User, north: Patch, placement: Placement
) -> Placement:
    """A placement of another person's episode, on the same opportunity."""
    other = make_active(referrer, manager, area=north.areas.get())
    make_profile(worker_north, other.participant)
    return put_forward(worker_north, other.participant, placement.opportunity)


def _when(hours: float, mode: str = Mode.PLACEMENT, placement: Placement | None = None) -> When:
    return When(
        starts_at=NOW + datetime.timedelta(hours=hours),
        mode=mode,
        duration_minutes=45,
        placement=placement,
    )


def test_a_contact_at_the_placement_is_linked_to_it(
    case: Referral, worker_north: User, placement: Placement
) -> None:
    contact = services.contact_record(
        actor=worker_north, referral=case, when=_when(-2, placement=placement), outcome=TOOK_PLACE
    )
    assert contact.placement == placement
    booked = services.contact_book(
        actor=worker_north, referral=case, when=_when(24, placement=placement)
    )
    moved = services.contact_reschedule(
        actor=worker_north,
        contact=booked,
        starts_at=NOW + datetime.timedelta(days=3),
        reason="The site manager is away",
    )
    assert moved.placement == placement  # the new appointment is at the same placement
    # A contact of another kind may be about the placement too.
    phone = services.contact_record(
        actor=worker_north,
        referral=case,
        when=_when(-1, mode=Mode.PHONE, placement=placement),
        outcome=TOOK_PLACE,
    )
    assert phone.placement == placement


def test_a_contact_at_the_placement_must_say_which(case: Referral, worker_north: User) -> None:
    with pytest.raises(RuleBroken, match="placement the contact is at"):
        services.contact_record(
            actor=worker_north, referral=case, when=_when(-2), outcome=TOOK_PLACE
        )
    with pytest.raises(RuleBroken, match="placement the contact is at"):
        services.contact_book(actor=worker_north, referral=case, when=_when(24))
    assert not Contact.objects.exists()


def test_a_placement_of_another_episode_is_refused(
    case: Referral, worker_north: User, elsewhere: Placement
) -> None:
    with pytest.raises(RuleBroken, match="placements in this episode"):
        services.contact_record(
            actor=worker_north,
            referral=case,
            when=_when(-2, placement=elsewhere),
            outcome=TOOK_PLACE,
        )
    assert not Contact.objects.exists()


def _post(placement: str, mode: str = Mode.PLACEMENT) -> dict[str, str]:
    day = timezone.localdate()
    return {
        "day-day": str(day.day),
        "day-month": str(day.month),
        "day-year": str(day.year),
        "time": "09:00",
        "mode": mode,
        "duration_minutes": "45",
        "location": "",
        "placement": placement,
        "happened": "yes",
        "attended": "yes",
        "notes": "Met the site manager",
    }


def test_the_form_offers_the_questions_only_with_placements(
    client: Client, case: Referral, worker_north: User
) -> None:
    client.force_login(worker_north)
    page = client.get(f"/referrals/{case.pk}/contacts/record/").content.decode()
    assert "Is it at or about a placement?" not in page
    assert "At the placement" not in page


def test_the_form_offers_the_episodes_placements_only(
    client: Client, case: Referral, worker_north: User, placement: Placement, elsewhere: Placement
) -> None:
    client.force_login(worker_north)
    url = f"/referrals/{case.pk}/contacts/record/"
    page = client.get(url).content.decode()
    assert "Is it at or about a placement?" in page and "At the placement" in page
    assert f'value="{placement.pk}"' in page and f'value="{elsewhere.pk}"' not in page
    page = client.post(url, _post("")).content.decode()
    assert "Select the placement the contact is at" in page
    page = client.post(url, _post(str(elsewhere.pk))).content.decode()
    assert "Select a valid choice" in page
    assert not Contact.objects.exists()
    response = client.post(url, _post(str(placement.pk)))
    assert response.status_code == 302
    assert Contact.objects.get().placement == placement


def test_the_placement_page_lists_its_contacts(
    client: Client,
    case: Referral,
    worker_north: User,
    worker_south: User,
    placement: Placement,
    elsewhere: Placement,
) -> None:
    services.contact_record(
        actor=worker_north, referral=case, when=_when(-2, placement=placement), outcome=TOOK_PLACE
    )
    services.contact_record(
        actor=worker_north,
        referral=case,
        when=_when(-3, mode=Mode.PHONE),
        outcome=Outcome(happened=True, attended=Attendance.YES, notes="Talked about housing"),
    )
    client.force_login(worker_north)
    page = client.get(f"/placements/{placement.pk}/").content.decode()
    assert "Contacts at or about this placement" in page
    assert "Settling in well" in page and "Talked about housing" not in page
    other = client.get(f"/placements/{elsewhere.pk}/").content.decode()
    assert "Settling in well" not in other
    client.force_login(worker_south)  # outside the person's scope: the page is refused
    assert client.get(f"/placements/{placement.pk}/").status_code == 404


def test_the_subject_access_export_holds_the_link(
    case: Referral, worker_north: User, placement: Placement
) -> None:
    contact = services.contact_record(
        actor=worker_north, referral=case, when=_when(-2, placement=placement), outcome=TOOK_PLACE
    )
    sections = {s.label: s for s in subject_access(case.participant)}
    rows = {row["id"]: row for row in sections["contacts.contact"].rows}
    assert rows[contact.pk]["placement"] == str(placement)
