"""A commissioner who oversees several services: the dashboard offers each and their
total (a person in two services counted once), and nothing else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.accounts.tests.factories import ServiceFactory
from pathways.core.http import services_overseen
from pathways.outcomes.tests.test_several_services import _second_service_with_bea
from pathways.outcomes.tests.world import HALF, World, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(world: World) -> Service:
    return _second_service_with_bea(world)


def _get(client: Client, user: User, query: str) -> Any:
    client.force_login(user)
    with at(HALF.end):
        return client.get(f"/outcomes/?period={HALF.key}{query}")


def test_a_commissioner_oversees_their_own_service_first_then_the_others(
    world: World, other: Service, commissioner: User, manager: User
) -> None:
    assert services_overseen(commissioner) == [world.service]
    third: Service = ServiceFactory(name="A third", slug="third")  # type: ignore[assignment]
    commissioner.oversees.add(other, third, world.service)
    assert services_overseen(commissioner) == [world.service, third, other]
    # Oversight is a commissioner's: a manager given it still sees their own service alone.
    manager.oversees.add(other)
    assert services_overseen(manager) == [world.service]


def test_the_dashboard_offers_each_service_and_their_total(
    world: World, other: Service, commissioner: User, client: Client
) -> None:
    commissioner.oversees.add(other)
    own = _get(client, commissioner, "").content.decode()
    assert f'<option value="{other.slug}"' in own
    assert "All 2 services: each and their total" in own
    theirs = _get(client, commissioner, f"&service={other.slug}").content.decode()
    assert f'<span class="govuk-caption-l">{other.name}</span>' in theirs
    # Targets are set on one's own service only.
    assert "Set the targets for this period" in own
    assert "Set the targets for this period" not in theirs


def test_the_total_counts_a_person_in_two_services_once(
    world: World, other: Service, commissioner: User, client: Client
) -> None:
    commissioner.oversees.add(other)
    page = _get(client, commissioner, "&service=all")
    assert page.status_code == 200
    body = page.content.decode()
    row = re.search(r"Job starts</th>(.*?)</tr>", body, re.S)
    assert row is not None
    cells = [
        re.sub(r"<[^>]+>", " ", cell).split()[0]
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]
    # The world's service: 2 job starts (Bea and Ivy); the other: Bea's; the total: 2.
    assert cells == ["2", "1", "2"]


@pytest.mark.parametrize("slug", ["nowhere", "third", "all"])
def test_a_service_not_overseen_is_not_found(
    world: World, commissioner: User, manager: User, client: Client, slug: str
) -> None:
    ServiceFactory(name="A third", slug="third")
    assert _get(client, commissioner, f"&service={slug}").status_code == 404
    assert _get(client, manager, f"&service={slug}").status_code == 404
