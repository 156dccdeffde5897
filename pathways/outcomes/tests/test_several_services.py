"""Several services: each, and the total of them all with each person counted once."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from pathways.accounts.models import Service
from pathways.accounts.tests.factories import ServiceFactory
from pathways.outcomes.measures import MEASURES
from pathways.outcomes.selectors import MeasureResult, measures_for_services
from pathways.outcomes.tests.world import HALF, World, at
from pathways.placements.models import Placement
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

PERIOD = "2024-05-01:2024-10-31"


def _second_service_with_bea(world: World) -> Service:
    """Another service where Bea (already in the world's) also started support and a job
    in the half-year: the same person in two services."""
    other: Service = ServiceFactory(name="Another", slug="another")  # type: ignore[assignment]
    bea = world.referrals["Bea"]
    job = Placement.objects.get(referral=bea, opportunity__kind="job")
    twin = Referral.objects.get(pk=bea.pk)
    twin.pk = twin.id = None
    twin.service = other
    twin.save()
    copy = Placement.objects.get(pk=job.pk)
    copy.pk = copy.id = None
    copy.referral = twin
    copy.save()
    return other


def _values(results: list[MeasureResult]) -> dict[str, float]:
    return {result.measure.key: result.figure.value or 0 for result in results}


def test_a_person_in_two_services_counts_once_in_the_total(world: World) -> None:
    other = _second_service_with_bea(world)
    with at(HALF.end):
        each, total = measures_for_services([world.service, other], HALF)
    first, second = (_values(results) for _service, results in each)
    together = _values(total)
    # People: Bea's job start is in both services and once in the total.
    assert second["job_starts"] == 1
    assert together["job_starts"] == first["job_starts"]
    assert second["placement_starts"] == 1
    assert together["placement_starts"] == first["placement_starts"]
    # Referrals are referrals: the total is the sum.
    assert together["starts"] == first["starts"] + second["starts"]
    # Capacity is the sum of the services'.
    caseload = next(r for r in total if r.measure.key == "caseload")
    assert caseload.figure.denominator == world.service.capacity + other.capacity
    assert all(result.targets == [] for result in total)


def test_the_command_without_service_gives_every_service_and_the_total(world: World) -> None:
    _second_service_with_bea(world)
    with at(HALF.end):
        out = io.StringIO()
        call_command("measures", "--period", PERIOD, "--format", "json", stdout=out)
        data = json.loads(out.getvalue())
        out = io.StringIO()
        call_command("measures", "--period", PERIOD, "--format", "csv", stdout=out)
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        out = io.StringIO()
        call_command("measures", "--period", PERIOD, stdout=out)
        table = out.getvalue()
    slugs = [block["service"] for block in data["services"]]
    assert slugs == [*sorted(Service.objects.values_list("slug", flat=True)), "total"]
    jobs = {
        block["service"]: next(r["value"] for r in block["measures"] if r["key"] == "job_starts")
        for block in data["services"]
    }
    assert jobs["another"] == 1
    assert jobs["total"] == jobs[world.service.slug]
    assert rows[0][0] == "service" and len(rows) == 1 + len(slugs) * len(MEASURES)
    assert "All services (each person counted once)" in table


def test_the_totals_headline_orders_are_every_type_any_service_counts_read_at_once(
    world: World, django_assert_num_queries: Any
) -> None:
    """Measure 7's headline for several services: every order type any of them counts (a
    service with no setting counts community orders), the settings read in one query
    however many services there are."""
    from pathways.outcomes.measures import Services, headline_orders
    from pathways.outcomes.models import OrderMeasureSetting

    others: list[Service] = [
        ServiceFactory(name=f"Service {n}", slug=f"service-{n}")  # type: ignore[misc]
        for n in range(5)
    ]
    together = Services((world.service, *others))
    with django_assert_num_queries(1):
        assert headline_orders(together) == ["community_order"]
    OrderMeasureSetting.objects.create(
        service=others[3], headline_order_types=["youth_rehabilitation"]
    )
    with django_assert_num_queries(1):
        assert headline_orders(together) == ["community_order", "youth_rehabilitation"]
    # One service alone: its own setting.
    assert headline_orders(others[3]) == ["youth_rehabilitation"]
    assert headline_orders(others[0]) == ["community_order"]
    # A service that counts no community orders at all, alone: nothing else is added.
    OrderMeasureSetting.objects.filter(service=others[3]).update(headline_order_types=[])
    assert headline_orders(others[3]) == []
    assert headline_orders(Services((others[3],))) == []
