"""A person's record: duplicates, timeline, and who viewed it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.plans import services as plans
from pathways.plans.models import GoalArea
from pathways.referrals import services
from pathways.referrals.models import EndReason
from pathways.referrals.people import likely_duplicates
from pathways.referrals.tests.factories import details_data, make_active, make_referral, person_data

pytestmark = pytest.mark.django_db


def test_likely_duplicates_by_crn_or_name_and_birth_date(
    referrer: User, other_referrer: User, north: Patch
) -> None:
    mine = make_referral(referrer, crn="X100001", first_name="Ann", last_name="Lee")
    theirs = make_referral(other_referrer, crn="X100002", first_name="Bob", last_name="Roe")
    by_crn = likely_duplicates(
        referrer,
        crn="X100001",
        first_name="Other",
        last_name="Name",
        date_of_birth=mine.participant.date_of_birth,
    )
    assert [(d.participant, d.same_crn, d.visible) for d in by_crn] == [
        (mine.participant, True, True)
    ]
    by_name = likely_duplicates(
        referrer,
        crn=None,
        first_name=" bob ",
        last_name="ROE",
        date_of_birth=theirs.participant.date_of_birth,
    )
    assert [(d.participant, d.same_crn, d.visible) for d in by_name] == [
        (theirs.participant, False, False)
    ]
    assert (
        likely_duplicates(
            referrer,
            crn="X100003",
            first_name="Bob",
            last_name="Roe",
            date_of_birth=mine.participant.date_of_birth.replace(year=1950),
        )
        == []
    )


def test_timeline_shows_what_happened_in_order(
    client: Client, referrer: User, manager: User, worker_north: User
) -> None:
    referral = make_active(referrer, manager)
    services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    client.force_login(worker_north)
    body = client.get(f"/participants/{referral.participant_id}/").content.decode()
    received = body.index("Referral received from Probation")
    accepted = body.index("Referral accepted: took a place on the service")
    allocated = body.index(f"Allocated to {worker_north}")
    assert allocated < accepted < received  # newest first
    assert "See who has viewed this record" not in body  # managers only


def test_manager_sees_who_viewed_a_record(
    client: Client, referrer: User, manager: User, worker_north: User
) -> None:
    referral = make_active(referrer, manager)
    services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    client.force_login(worker_north)
    client.get(f"/participants/{referral.participant_id}/")
    client.force_login(manager)
    body = client.get(f"/participants/{referral.participant_id}/access-log/").content.decode()
    assert str(worker_north) in body
    assert "ETE support worker" in body


def test_empty_states(client: Client, worker_north: User, manager: User) -> None:
    client.force_login(worker_north)
    assert "Nobody is allocated to you yet" in client.get("/caseload/").content.decode()
    assert "Nobody is waiting" in client.get("/waiting-list/").content.decode()
    client.force_login(manager)
    assert "There are no referrals" in client.get("/referrals/").content.decode()


def test_find_a_person_by_identifier_or_name_within_scope(
    client: Client, referrer: User, other_referrer: User, north: Patch
) -> None:
    mine = make_referral(referrer, crn="X100001", first_name="Ann", last_name="Lee")
    make_referral(other_referrer, crn="X100002", first_name="Ann", last_name="Lee")
    client.force_login(referrer)
    assert client.get("/participants/find/").status_code == 200
    for query in ("x100001", "lee", "an LEE"):
        body = client.post("/participants/find/", {"query": query}).content.decode()
        assert f'href="/participants/{mine.participant_id}/"' in body, query
        assert len(re.findall(r'href="/participants/\d+/"', body)) == 1, (
            query
        )  # not the other referrer's Ann Lee
    body = client.post("/participants/find/", {"query": "X100002"}).content.decode()
    assert "Nobody you can see matches" in body
    body = client.post("/participants/find/", {"query": ""}).content.decode()
    assert "Enter a CRN, PNC ID, prison number or name" in body


@pytest.mark.parametrize("role", ["commissioner", "admin_user"])
def test_find_is_not_there_for_roles_without_people(
    request: pytest.FixtureRequest, client: Client, role: str
) -> None:
    client.force_login(request.getfixturevalue(role))
    assert client.get("/participants/find/").status_code == 404
    assert client.post("/participants/find/", {"query": "X100001"}).status_code == 404


def test_timeline_shows_only_the_history_the_user_may_see(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    first = make_active(other_referrer, manager, crn="X555555")
    plans.goal_add(
        actor=manager,
        referral=first,
        title="Forklift licence",
        area=GoalArea.QUALIFICATIONS,
        target_date=datetime.date(2030, 1, 1),
    )
    services.referral_end(
        actor=manager,
        referral=first,
        reason=EndReason.objects.get(code="custody"),
        closing_summary="Recalled.",
    )
    # The referrer cannot see the person, so the referral is held and the manager joins it.
    known = first.participant
    typed = person_data(north.areas.get(), crn="X555555", first_name=known.first_name)
    held = services.referral_create(
        actor=referrer,
        service=referrer.service,  # type: ignore[arg-type]
        person=typed,
        details=details_data(),
        hold_for=likely_duplicates(
            referrer,
            crn="X555555",
            first_name=known.first_name,
            last_name=known.last_name,
            date_of_birth=typed["date_of_birth"],
        ),
    )
    second = services.referral_resolve_duplicate(
        actor=manager, referral=held, join_to=known, reason="Same CRN; checked with probation."
    )
    client.force_login(referrer)
    body = client.get(f"/participants/{second.participant_id}/").content.decode()
    assert "Referral from Probation joined to this person" in body
    # The other referrer's episode, its plan included, stays hidden.
    assert "Support ended" not in body
    assert "Goal added" not in body
    client.force_login(manager)
    body = client.get(f"/participants/{second.participant_id}/").content.decode()
    assert "Support ended: Returned to custody or recalled" in body
    assert "Goal added: Qualifications" in body
