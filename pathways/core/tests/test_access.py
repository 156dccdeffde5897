"""Every person URL for every role: in scope it answers, out of scope it is 404.

The commissioner and the administrator reach no named person at all; the outsider
(a manager of another service) reaches nothing of this one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.core.models import AuditEvent, AuditKind
from pathways.referrals import services
from pathways.referrals.access import participants_for, referrals_for
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_active, make_referral

pytestmark = pytest.mark.django_db


@dataclass
class Cases:
    north_active: Referral  # by referrer, North, allocated to worker_north
    north_received: Referral  # by referrer, North, awaiting decision
    south_active: Referral  # by other_referrer, South, allocated to worker_south


@pytest.fixture
def cases(personas: dict[str, User], north: Patch, south: Patch) -> Cases:
    manager = personas["manager"]
    north_active = make_active(personas["referrer"], manager, area=north.areas.get())
    services.referral_allocate(
        actor=manager, referral=north_active, worker=personas["worker_north"]
    )
    south_active = make_active(personas["other_referrer"], manager, area=south.areas.get())
    services.referral_allocate(
        actor=manager, referral=south_active, worker=personas["worker_south"]
    )
    return Cases(
        north_active=north_active,
        north_received=make_referral(personas["referrer"], area=north.areas.get()),
        south_active=south_active,
    )


PERSON_PAGES = ["participant", "access_log", "referral", "amend", "end", "allocate"]
TRIAGE_PAGES = ["accept", "decline"]

# Which pages of the North active case (and North received case for triage) each role
# reaches. Anything not listed is 404.
REACHES: dict[str, set[str]] = {
    "referrer": {"participant", "referral", "amend", "triage_referral"},
    "other_referrer": set(),
    "worker_north": {"participant", "referral", "end", "triage_referral"},
    "worker_south": set(),
    "manager": {
        "participant",
        "access_log",
        "referral",
        "amend",
        "end",
        "allocate",
        "accept",
        "decline",
        "triage_referral",
    },
    "commissioner": set(),
    "admin": set(),
    "outsider": set(),
}


def _url(page: str, cases: Cases) -> str:
    referral = cases.north_received if page in TRIAGE_PAGES else cases.north_active
    participant_id = referral.participant_id
    return {
        "participant": f"/participants/{participant_id}/",
        "access_log": f"/participants/{participant_id}/access-log/",
        "referral": f"/referrals/{referral.pk}/",
        "triage_referral": f"/referrals/{cases.north_received.pk}/",
    }.get(page, f"/referrals/{referral.pk}/{page}/")


@pytest.mark.parametrize("role", sorted(REACHES))
@pytest.mark.parametrize("page", [*PERSON_PAGES, *TRIAGE_PAGES, "triage_referral"])
def test_person_pages_by_role(
    client: Client, personas: dict[str, User], cases: Cases, role: str, page: str
) -> None:
    client.force_login(personas[role])
    response = client.get(_url(page, cases))
    expected = 200 if page in REACHES[role] else 404
    assert response.status_code == expected, f"{role} GET {page}"


@pytest.mark.parametrize("role", sorted(REACHES))
def test_forged_posts_change_nothing_outside_the_role(
    client: Client, personas: dict[str, User], cases: Cases, role: str
) -> None:
    client.force_login(personas[role])
    received = cases.north_received
    for action in TRIAGE_PAGES:
        response = client.post(
            f"/referrals/{received.pk}/{action}/", {"eligibility_confirmed": "on"}
        )
        if action not in REACHES[role]:
            assert response.status_code == 404
    received.refresh_from_db()
    if "accept" not in REACHES[role]:
        assert received.accepted_at is None and received.declined_at is None


def test_forged_posts_are_audited_as_refusals(
    client: Client, personas: dict[str, User], cases: Cases
) -> None:
    client.force_login(personas["referrer"])
    client.post(f"/referrals/{cases.north_received.pk}/accept/", {"eligibility_confirmed": "on"})
    refusal = AuditEvent.objects.get(kind=AuditKind.REFUSAL)
    assert refusal.actor == personas["referrer"]
    assert refusal.object_type == "page:referrals:accept"
    assert refusal.object_id == str(cases.north_received.pk)


def test_anonymous_users_are_sent_to_sign_in(client: Client, cases: Cases) -> None:
    for page in PERSON_PAGES:
        response = client.get(_url(page, cases))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_no_person_urls_for_the_outside_even_with_other_ids(
    client: Client, personas: dict[str, User], cases: Cases
) -> None:
    client.force_login(personas["worker_north"])
    south = cases.south_active
    assert client.get(f"/participants/{south.participant_id}/").status_code == 404
    assert client.get(f"/referrals/{south.pk}/").status_code == 404
    assert client.get("/participants/999999/").status_code == 404


def test_refusals_are_audited(client: Client, personas: dict[str, User], cases: Cases) -> None:
    client.force_login(personas["commissioner"])
    client.get(f"/participants/{cases.north_active.participant_id}/")
    refusal = AuditEvent.objects.get(kind=AuditKind.REFUSAL)
    assert refusal.actor == personas["commissioner"]
    assert refusal.object_id == str(cases.north_active.participant_id)


def test_views_are_audited(client: Client, personas: dict[str, User], cases: Cases) -> None:
    client.force_login(personas["worker_north"])
    client.get(f"/participants/{cases.north_active.participant_id}/")
    client.get(f"/referrals/{cases.north_active.pk}/")
    views = AuditEvent.objects.filter(kind=AuditKind.VIEW, actor=personas["worker_north"])
    assert {event.action for event in views} == {"participant.viewed", "referral.viewed"}
    assert {event.subject_id for event in views} == {cases.north_active.participant_id}


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("referrer", 2),
        ("other_referrer", 1),
        ("worker_north", 2),
        ("worker_south", 1),
        ("manager", 3),
        ("commissioner", 0),
        ("admin", 0),
        ("outsider", 0),
    ],
)
def test_scope_sizes(personas: dict[str, User], cases: Cases, role: str, count: int) -> None:
    assert referrals_for(personas[role]).count() == count
    assert participants_for(personas[role]).count() == count


def test_worker_keeps_a_case_allocated_to_them_outside_their_patch(
    personas: dict[str, User], cases: Cases, north: Patch
) -> None:
    Referral.objects.filter(pk=cases.south_active.pk).update(worker=personas["worker_north"])
    assert referrals_for(personas["worker_north"]).filter(pk=cases.south_active.pk).exists()


def test_inactive_users_see_nothing(personas: dict[str, User], cases: Cases) -> None:
    manager = personas["manager"]
    manager.is_active = False
    manager.save()
    assert not referrals_for(manager).exists()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/referrals/", {"referrer", "other_referrer", "worker_north", "worker_south", "manager"}),
        ("/referrals/new/person/", {"referrer", "other_referrer", "manager"}),
        ("/caseload/", {"worker_north", "worker_south"}),
        (
            "/participants/find/",
            {"referrer", "other_referrer", "worker_north", "worker_south", "manager"},
        ),
        ("/waiting-list/", {"worker_north", "worker_south", "manager"}),
        ("/service/", {"manager", "commissioner"}),
    ],
)
def test_list_pages_by_role(
    client: Client, personas: dict[str, User], path: str, allowed: set[str]
) -> None:
    for role, user in personas.items():
        if role == "outsider":
            continue
        client.force_login(user)
        expected = 200 if role in allowed else 404
        assert client.get(path).status_code == expected, f"{role} GET {path}"
