"""Pages that list people or their records write one view event per page view, naming the
records shown (by id, by kind of record; the page's rows only), never a name or what was
typed: the lists of referrals, the caseload, the waiting list, placements and the to-do
list, find a person's results, and the people who fit an opportunity."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pathways.accounts.models import User
from pathways.contacts.models import Contact
from pathways.core.models import AuditEvent, AuditKind
from pathways.placements.models import Placement
from pathways.referrals import services
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db


def _listed(client: Client, url: str, page: str, **post: Any) -> AuditEvent:
    """Fetch the page (POST when ``post`` is given): exactly one event, for this page."""
    before = AuditEvent.objects.count()
    response = client.post(url, post) if post else client.get(url)
    assert response.status_code == 200
    [event] = AuditEvent.objects.order_by("id")[before:]
    assert event.kind == AuditKind.VIEW
    assert event.action == f"{page}.viewed"
    assert (event.object_type, event.object_id) == ("list", page)
    return event


def _nothing_named(event: AuditEvent, *people: Any) -> None:
    text = f"{event.summary} {event.detail} {event.object_id}"
    for person in people:
        assert person.last_name not in text and person.crn not in text


def test_the_referrals_list_names_the_referrals_shown(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    client.force_login(personas["manager"])
    event = _listed(client, reverse("referrals:list"), "referral_list")
    shown = set(
        Referral.objects.filter(service=personas["manager"].service_id).values_list("pk", flat=True)
    )
    assert set(event.detail["shown"]["referrals.referral"]) == shown
    assert event.actor == personas["manager"]
    _nothing_named(event, *(r.participant for r in Referral.objects.all()))


def test_a_paginated_list_names_only_the_rows_of_its_page(
    client: Client, personas: dict[str, User], records: dict[str, Any], settings: Any
) -> None:
    settings.PAGE_SIZE = 1
    client.force_login(personas["manager"])
    first = _listed(client, reverse("referrals:list"), "referral_list")
    second = _listed(client, reverse("referrals:list") + "?page=2", "referral_list")
    [one] = first.detail["shown"]["referrals.referral"]
    [other] = second.detail["shown"]["referrals.referral"]
    assert one != other
    assert {one, other} == {records["case"], records["received"]}


def test_the_waiting_list_names_the_referrals_waiting(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    manager = personas["manager"]
    service = Referral.objects.get(pk=records["case"]).service
    service.capacity = 1  # the case holds the one place
    service.save()
    waiting = make_referral(personas["referrer"])
    services.referral_accept(actor=manager, referral=waiting)
    client.force_login(manager)
    event = _listed(client, reverse("referrals:waiting_list"), "waiting_list")
    assert event.detail["shown"] == {"referrals.referral": [waiting.pk]}


def test_the_caseload_names_the_cases_and_the_unallocated(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    client.force_login(personas["worker_north"])
    event = _listed(client, reverse("referrals:caseload"), "caseload")
    assert records["case"] in event.detail["shown"]["referrals.referral"]


def test_an_empty_list_is_audited_as_a_view_of_nothing(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    client.force_login(personas["worker_south"])
    event = _listed(client, reverse("referrals:caseload"), "caseload")
    assert event.detail == {"shown": {}}


def test_the_to_do_list_names_what_it_shows(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    client.force_login(personas["worker_north"])
    event = _listed(client, reverse("contacts:todo"), "todo")
    assert event.detail["shown"]["contacts.contact"] == [records["awaiting"]]
    assert Contact.objects.get(pk=records["awaiting"]).referral_id == records["case"]


def test_the_placements_list_names_the_placements_shown(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    client.force_login(personas["manager"])
    event = _listed(client, reverse("placements:list"), "placement_list")
    assert event.detail["shown"]["placements.placement"] == [records["placement"]]


def test_an_opportunitys_page_names_the_people_put_forward(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    job = Placement.objects.get(pk=records["placement"]).opportunity
    client.force_login(personas["worker_north"])
    event = _listed(
        client, reverse("employers:opportunity", args=[job.pk]), "opportunity_placements"
    )
    assert event.detail["shown"] == {"placements.placement": [records["placement"]]}


def test_the_people_who_fit_an_opportunity_are_named(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    client.force_login(personas["worker_north"])
    url = reverse("employers:opportunity_matches", args=[records["opportunity"]])
    event = _listed(client, url, "opportunity_matches")
    shown = event.detail["shown"].get("participants.participant", [])
    page = client.get(url).content.decode()
    person = Referral.objects.get(pk=records["case"]).participant
    assert (person.pk in shown) == (person.full_name in page)
    _nothing_named(event, person)


def test_search_results_are_audited(
    client: Client, personas: dict[str, User], records: dict[str, Any]
) -> None:
    person = Referral.objects.get(pk=records["case"]).participant
    client.force_login(personas["worker_north"])
    event = _listed(
        client,
        reverse("participants:find"),
        "participant_search",
        query=f"{person.first_name} {person.last_name}",
    )
    assert event.detail["shown"] == {"participants.participant": [person.pk]}
    _nothing_named(event, person)
    assert person.first_name not in f"{event.summary} {event.detail}"
    # A search that finds no one is recorded too (that it was made, not what was typed).
    nobody = _listed(client, reverse("participants:find"), "participant_search", query="Zzyzx")
    assert nobody.detail == {"shown": {}}
    assert "Zzyzx" not in f"{nobody.summary} {nobody.detail}"
