"""``manage.py measures``: every measure for a period, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from pathways.accounts.models import Service, User
from pathways.accounts.tests.factories import ServiceFactory
from pathways.outcomes import services
from pathways.outcomes.measures import MEASURES
from pathways.outcomes.models import TargetKind
from pathways.outcomes.tests.world import HALF, World, at

pytestmark = pytest.mark.django_db

PERIOD = "2024-05-01:2024-10-31"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_json_gives_every_measure_with_its_figures_and_targets(world: World, manager: User) -> None:
    with at(HALF.end):
        services.target_set(
            actor=manager,
            service=world.service,
            measure_key="starts",
            period=HALF,
            kind=TargetKind.INTERMEDIATE,
            value=Decimal("5.5"),
        )
    with at(HALF.end):
        data = json.loads(
            _run("--period", PERIOD, "--service", world.service.slug, "--format", "json")
        )
    assert data["service"] == world.service.slug
    assert data["period"] == PERIOD
    rows = {row["key"]: row for row in data["measures"]}
    assert list(rows) == [item.key for item in MEASURES]
    for row in rows.values():
        assert set(row) == {
            "key",
            "number",
            "name",
            "value",
            "numerator",
            "denominator",
            "targets",
            "status",
        }
    assert rows["starts"] == {
        "key": "starts",
        "number": None,
        "name": "Starts on the service",
        "value": 5,
        "numerator": None,
        "denominator": None,
        "targets": [{"kind": "intermediate", "value": 5.5, "status": "amber"}],
        "status": "amber",
    }
    # As at 31 October 2024 no order had been entered yet (they were in 2026: as at means
    # as at, test_as_at).
    assert (rows["orders_completed"]["number"], rows["orders_completed"]["value"]) == (7, 0)
    assert (rows["caseload"]["numerator"], rows["caseload"]["denominator"]) == (6, 30)
    assert rows["waiting_time"]["value"] == 2.0
    assert rows["attrition"]["targets"] == [] and rows["attrition"]["status"] is None


def test_no_person_is_named_in_any_format(world: World) -> None:
    with at(HALF.end):
        outputs = [
            _run("--period", PERIOD, "--service", world.service.slug, "--format", fmt)
            for fmt in ("json", "csv", "table")
        ]
    for output in outputs:
        for referral in world.referrals.values():
            assert referral.participant.last_name not in output
            assert str(referral.participant.crn) not in output


def test_csv_has_a_header_and_a_row_per_measure(world: World, commissioner: User) -> None:
    with at(HALF.end):
        services.target_set(
            actor=commissioner,
            service=world.service,
            measure_key="attrition",
            period=HALF,
            kind=TargetKind.LONG_TERM,
            value=Decimal(60),  # a rate: 1 of 2 leavers disengaged is 50%,
        )
        rows = list(
            csv.reader(
                io.StringIO(
                    _run("--period", PERIOD, "--service", world.service.slug, "--format", "csv")
                )
            )
        )
    assert rows[0] == [
        "key",
        "number",
        "name",
        "value",
        "numerator",
        "denominator",
        "target",
        "status",
    ]
    assert len(rows) == 1 + len(MEASURES)
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["attrition"] == ["attrition", "", "Attrition", "1", "1", "2", "60.0", "green"]
    assert by_key["training_placements_created"][:6] == [
        "training_placements_created",
        "1",
        "Training placements created",
        "1",
        "",
        "",
    ]
    assert by_key["starts"][6:] == ["", ""]


def test_the_table_is_for_people_to_read(world: World) -> None:
    with at(HALF.end):
        lines = _run("--period", PERIOD, "--service", world.service.slug).splitlines()
    assert lines[0] == f"{world.service.name}: May to October 2024"
    assert len(lines) == 1 + len(MEASURES)
    caseload = next(line for line in lines if "Caseload and capacity use" in line)
    assert caseload.rstrip().endswith("6 (6 of 30)")
    wait = next(line for line in lines if "Average wait for a place" in line)
    assert wait.rstrip().endswith("2.0")


def test_the_table_shows_a_dash_for_no_value(service: Service) -> None:
    # With no starts there is no average wait.
    with at(HALF.end):
        lines = _run("--period", PERIOD, "--service", service.slug).splitlines()
    wait = next(line for line in lines if "Average wait" in line)
    assert "\N{EN DASH}" in wait


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2024-05-01"), "Give the period as YYYY-MM-DD:YYYY-MM-DD"),
        (("--period", "2024-10-31:2024-05-01"), "The period must end on or after its start"),
        (("--period", "2024-02-30:2024-05-01"), "The period's dates must be real dates"),
        (("--period", PERIOD, "--service", "nowhere"), "No service has the slug 'nowhere'."),
    ],
)
def test_bad_arguments_are_refused_clearly(service: Service, args: Any, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _run(*args)


def test_service_names_one_of_several(service: Service) -> None:
    other: Service = ServiceFactory(name="Another", slug="another")  # type: ignore[assignment]
    with at(HALF.end):
        data = json.loads(_run("--period", PERIOD, "--service", other.slug, "--format", "json"))
    assert data["service"] == "another"


def test_no_service_at_all_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="There is no service"):
        _run("--period", PERIOD)
