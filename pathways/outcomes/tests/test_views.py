"""The outcomes pages: who reaches them, what they show and hide, targets by form, a
fixed number of queries, and orders and offences entered on the person's record."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pathways.accounts.models import Service, User
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.periods import half_year
from pathways.outcomes import services
from pathways.outcomes.measures import MEASURES
from pathways.outcomes.models import Order, ProvenOffence, Source, Target, Termination
from pathways.outcomes.tests.world import HALF, World, at
from pathways.referrals.models import OrderType, Referral
from pathways.referrals.tests.factories import NOW, TODAY, make_active, make_referral

pytestmark = pytest.mark.django_db

D = datetime.date
THIS_HALF = half_year(TODAY)  # the dashboard's default: May to October 2026


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


# The dashboard


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("commissioner", 200),
        ("referrer", 404),
        ("worker_north", 404),
        ("admin", 404),
        ("outsider", 200),  # their own service's figures, of which there are none
    ],
)
def test_the_dashboard_by_role(
    case: Referral, personas: dict[str, User], persona: str, status: int
) -> None:
    response = _client(personas[persona]).get("/outcomes/")
    assert response.status_code == status
    if status == 404:
        assert AuditEvent.objects.filter(
            actor=personas[persona],
            kind=AuditKind.REFUSAL,
            action="page:outcomes:dashboard.refused",
        ).exists()


def test_the_dashboard_sends_the_signed_out_to_sign_in(db: None) -> None:
    response = _client(None).get("/outcomes/")
    assert response.status_code == 302
    assert "/outcomes/" in response["Location"]


def test_the_dashboard_shows_every_measure_for_the_default_period(
    case: Referral, manager: User
) -> None:
    response = _client(manager).get("/outcomes/")
    page = response.content.decode()
    assert response.context["period"] == THIS_HALF
    assert "Outcomes: May to October 2026" in page
    for item in MEASURES:
        assert item.title in page
        assert f"/outcomes/measures/{item.key}/?period=2026-05-01:2026-10-31" in page
    assert "The period is still open" in page
    results = {r.measure.key: r for r in response.context["results"]}
    assert results["starts"].figure.value == 1
    assert "Set the targets for this period" in page


def test_the_dashboard_takes_a_named_period_and_a_trend(case: Referral, commissioner: User) -> None:
    response = _client(commissioner).get(
        "/outcomes/", {"period": "2025-11-01:2026-04-30", "trend": "attrition"}
    )
    assert response.status_code == 200
    assert str(response.context["period"]) == "November 2025 to April 2026"
    assert response.context["trend_measure"].key == "attrition"
    assert [str(p) for p, _ in response.context["trend"]][-1] == "November 2025 to April 2026"
    assert len(response.context["trend"]) == 6
    assert "The period is still open" not in response.content.decode()


def test_the_dashboard_shows_an_error_for_a_bad_period(case: Referral, manager: User) -> None:
    response = _client(manager).get(
        "/outcomes/",
        {"period": "2026-05-01:2026-10-31", **_date("start", D(2026, 6, 1))},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter both dates of the period" in page
    assert response.context["period"] == THIS_HALF


def test_the_commissioner_sees_no_drilldown_and_no_name(
    world: World, commissioner: User, manager: User
) -> None:
    query = {"period": HALF.key}
    with at(D(2026, 3, 1)):
        theirs = _client(commissioner).get("/outcomes/", query).content.decode()
        mine = _client(manager).get("/outcomes/", query).content.decode()
    assert "/outcomes/measures/" not in theirs
    assert "/outcomes/measures/" in mine
    for referral in world.referrals.values():
        person = referral.participant
        for text in (person.last_name, str(person.crn), person.full_name):
            assert text not in theirs
    # The figures are the world's.
    assert "May to October 2024" in theirs


# Drill-downs


def test_the_manager_s_drilldown_lists_the_records_and_is_audited(
    world: World, manager: User
) -> None:
    with at(D(2026, 3, 1)):
        response = _client(manager).get("/outcomes/measures/attrition/", {"period": HALF.key})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Eve Eastley" in page and "Fay Farrant" in page
    assert "Gus Gorringe" not in page  # ended on 1 November
    assert "1 of 2" in page
    assert "Disengaged" in page
    event = AuditEvent.objects.get(action="measure.drilldown_viewed")
    assert event.kind == AuditKind.VIEW
    assert event.actor == manager
    assert event.detail["measure"] == "attrition"
    assert event.detail["period"] == HALF.key
    assert event.detail["records"] == [
        str(world.referrals["Eve"].pk),
        str(world.referrals["Fay"].pk),
    ]


def test_the_reoffending_drilldown_shows_its_note_and_breakdown(
    world: World, manager: User
) -> None:
    with at(D(2025, 11, 10)):
        page = (
            _client(manager)
            # As at today: as at the half-year's last day, nobody's 18 months had passed.
            .get("/outcomes/measures/not_reoffending/", {"period": HALF.key, "as_at": "today"})
            .content.decode()
        )
    assert "No proven offence so far (18 months not passed)" in page
    assert "1 of 3 whose 18 months have not yet passed" in page
    for name in ("Bea", "Eve", "Gus", "Hal", "Ivy"):
        assert name in page


def test_the_drilldown_is_refused_to_the_commissioner_and_audited(
    case: Referral, commissioner: User
) -> None:
    response = _client(commissioner).get("/outcomes/measures/starts/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor=commissioner, kind=AuditKind.REFUSAL, action="page:outcomes:drilldown.refused"
    ).exists()
    assert not AuditEvent.objects.filter(action="measure.drilldown_viewed").exists()
    assert case.participant.last_name not in response.content.decode()


@pytest.mark.parametrize("persona", ["referrer", "worker_north", "admin"])
def test_the_drilldown_is_refused_to_other_roles(
    case: Referral, personas: dict[str, User], persona: str
) -> None:
    assert _client(personas[persona]).get("/outcomes/measures/starts/").status_code == 404


def test_an_unknown_measure_is_not_found(case: Referral, manager: User) -> None:
    assert _client(manager).get("/outcomes/measures/happiness/").status_code == 404
    assert not AuditEvent.objects.filter(action="measure.drilldown_viewed").exists()


def test_the_outsider_s_drilldown_holds_none_of_this_service(
    case: Referral, outsider: User
) -> None:
    response = _client(outsider).get("/outcomes/measures/starts/")
    assert response.status_code == 200
    assert case.participant.last_name not in response.content.decode()
    assert "No records were counted in this period." in response.content.decode()


# Targets


@pytest.mark.parametrize("persona", ["manager", "commissioner"])
def test_targets_posted_show_as_status_on_the_dashboard(
    case: Referral, personas: dict[str, User], persona: str
) -> None:
    client = _client(personas[persona])
    assert client.get("/outcomes/targets/").status_code == 200
    response = client.post(
        f"/outcomes/targets/?period={THIS_HALF.key}",
        {
            "tolerance": "10",
            "starts__intermediate": "1",
            "referrals_received__intermediate": "3",
            "attrition__long_term": "0",
            "caseload__intermediate": "1.1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/outcomes/?period={THIS_HALF.key}"
    assert Target.objects.count() == 4
    assert Target.objects.get(measure_key="caseload").value == Decimal("1.1")
    page = client.get(response["Location"]).content.decode()
    assert "Targets saved" in page
    # The half-year is open (day 154 of 184): judged in progress, against the pro-rata
    # target where the figure builds up (test_open_periods).
    assert page.count("In progress: on track") == 1  # starts
    # Attrition's target is a rate and nobody's support ended: no rate (test_units).
    assert page.count("No rate: none counted") == 1
    assert page.count("In progress: near the target so far") == 1  # caseload 1 of 1.1
    assert page.count("In progress: behind the target so far") == 1  # referrals 1 of 2.51
    assert "Below target" not in page
    assert AuditEvent.objects.filter(action="target.set").count() == 4
    # Posting the same again changes nothing and writes no new target rows.
    client.post(
        f"/outcomes/targets/?period={THIS_HALF.key}",
        {"tolerance": "10", "starts__intermediate": "1"},
    )
    assert AuditEvent.objects.filter(action="target.set").count() == 4


def test_targets_show_errors_the_gov_uk_way(case: Referral, manager: User) -> None:
    response = _client(manager).post(
        "/outcomes/targets/", {"tolerance": "200", "starts__intermediate": "-1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The tolerance must be 100 or less" in page
    assert "The intermediate target for Starts on the service cannot be negative" in page
    assert page.startswith("<!") or "<title>Error:" in page
    assert not Target.objects.exists()


@pytest.mark.parametrize("persona", ["worker_north", "referrer", "admin"])
def test_targets_are_refused_to_other_roles(
    case: Referral, personas: dict[str, User], persona: str
) -> None:
    client = _client(personas[persona])
    assert client.get("/outcomes/targets/").status_code == 404
    assert client.post("/outcomes/targets/", {"tolerance": "5"}).status_code == 404
    assert not Target.objects.exists()


# Queries


def _dashboard_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/outcomes/").status_code == 200
    return len(queries)


DASHBOARD_QUERIES = 52  # 49 measured: two or so per measure (19), the page, the contract flag


def test_the_dashboard_takes_a_fixed_number_of_queries(
    clock: Any, referrer: User, manager: User, north: Any, django_assert_max_num_queries: Any
) -> None:
    client = _client(manager)
    for _ in range(5):
        make_active(referrer, manager)
    # The first view keeps the trend's closed half-years (counted once: outcomes.kept).
    _dashboard_queries(client)
    few = _dashboard_queries(client)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get("/outcomes/")
    for _ in range(45):
        make_referral(referrer)
    assert _dashboard_queries(client) == few
    drill = _client(manager)
    with CaptureQueriesContext(connection) as first:
        drill.get("/outcomes/measures/referrals_received/")
    for _ in range(10):
        make_referral(referrer)
    with CaptureQueriesContext(connection) as second:
        drill.get("/outcomes/measures/referrals_received/")
    assert len(second) == len(first)


# Orders and offences on the person's record


def _pages(case: Referral, order: Order) -> list[str]:
    person = case.participant_id
    return [
        f"/participants/{person}/orders/new/",
        f"/participants/{person}/offences/new/",
        f"/participants/{person}/orders/{order.pk}/end/",
    ]


@pytest.fixture
def running(case: Referral, manager: User) -> Order:
    return services.order_record(
        actor=manager,
        participant=case.participant,
        order_type=OrderType.COMMUNITY_ORDER,
        start_date=D(2026, 1, 5),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("worker_north", 200),
        ("manager", 200),
        ("referrer", 404),
        ("commissioner", 404),
        ("worker_south", 404),
        ("outsider", 404),
        ("admin", 404),
    ],
)
def test_person_forms_by_role(
    case: Referral, running: Order, personas: dict[str, User], persona: str, status: int
) -> None:
    client = _client(personas[persona])
    for path in _pages(case, running):
        assert client.get(path).status_code == status, path


def test_person_forms_refuse_a_post_out_of_scope(
    case: Referral, running: Order, worker_south: User
) -> None:
    client = _client(worker_south)
    response = client.post(
        f"/participants/{case.participant_id}/orders/new/",
        {"order_type": OrderType.LICENCE, **_date("start_date", D(2026, 2, 1))},
    )
    assert response.status_code == 404
    assert Order.objects.count() == 1


def test_an_order_is_recorded_from_the_form(case: Referral, worker_north: User) -> None:
    response = _client(worker_north).post(
        f"/participants/{case.participant_id}/orders/new/",
        {
            "order_type": OrderType.SUSPENDED_SENTENCE,
            **_date("start_date", D(2025, 10, 1)),
            **_date("actual_end_date", D(2026, 9, 30)),
            "termination": Termination.COMPLETED,
            "note": "From the court letter",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/participants/{case.participant_id}/"
    order = Order.objects.get()
    assert (order.order_type, order.actual_end_date, order.termination, order.source) == (
        OrderType.SUSPENDED_SENTENCE,
        D(2026, 9, 30),
        Termination.COMPLETED,
        Source.HAND,
    )
    assert order.recorded_at == NOW


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select the kind"),
        (
            {"order_type": "community_order", **_date("actual_end_date", D(2026, 6, 1))},
            "Select how the order ended",
        ),
        (
            {"order_type": "community_order", "termination": "breach"},
            "Enter the date the order ended",
        ),
        (
            {"order_type": "community_order", **_date("start_date", D(2026, 10, 2))},
            "The start date cannot be in the future.",
        ),
    ],
)
def test_an_invalid_order_shows_gov_uk_errors(
    case: Referral, manager: User, data: dict[str, str], message: str
) -> None:
    data = {**_date("start_date", D(2026, 1, 5)), **data}
    response = _client(manager).post(f"/participants/{case.participant_id}/orders/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert not Order.objects.exists()


def test_an_order_is_ended_from_the_form(
    case: Referral, running: Order, worker_north: User
) -> None:
    response = _client(worker_north).post(
        f"/participants/{case.participant_id}/orders/{running.pk}/end/",
        {**_date("actual_end_date", D(2026, 9, 1)), "termination": Termination.BREACH},
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert (running.actual_end_date, running.termination) == (D(2026, 9, 1), Termination.BREACH)


def test_ending_an_order_shows_the_rule_broken(
    case: Referral, running: Order, manager: User
) -> None:
    response = _client(manager).post(
        f"/participants/{case.participant_id}/orders/{running.pk}/end/",
        {**_date("actual_end_date", D(2025, 12, 1)), "termination": Termination.COMPLETED},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The order cannot end before it started." in page
    running.refresh_from_db()
    assert running.actual_end_date is None


def test_an_order_of_another_person_is_not_found(
    case: Referral, running: Order, manager: User, referrer: User
) -> None:
    other = make_active(referrer, manager)
    response = _client(manager).post(
        f"/participants/{other.participant_id}/orders/{running.pk}/end/",
        {**_date("actual_end_date", D(2026, 9, 1)), "termination": Termination.BREACH},
    )
    assert response.status_code == 404
    running.refresh_from_db()
    assert running.actual_end_date is None


def test_an_offence_is_recorded_from_the_form(case: Referral, manager: User) -> None:
    response = _client(manager).post(
        f"/participants/{case.participant_id}/offences/new/",
        {
            **_date("committed_on", D(2026, 9, 5)),
            **_date("proven_on", D(2026, 9, 25)),
            "proven_by": "conviction",
            "category": "theft",
            "disposal": "Community order",
        },
    )
    assert response.status_code == 302
    offence = ProvenOffence.objects.get()
    assert (offence.committed_on, offence.proven_on, offence.recorded_by) == (
        D(2026, 9, 5),
        D(2026, 9, 25),
        manager,
    )


def test_an_invalid_offence_shows_gov_uk_errors(case: Referral, manager: User) -> None:
    response = _client(manager).post(
        f"/participants/{case.participant_id}/offences/new/",
        {
            **_date("committed_on", D(2026, 9, 25)),
            **_date("proven_on", D(2026, 9, 5)),
            "proven_by": "conviction",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Select the offence group" in page
    assert not ProvenOffence.objects.exists()
    response = _client(manager).post(
        f"/participants/{case.participant_id}/offences/new/",
        {
            **_date("committed_on", D(2026, 9, 25)),
            **_date("proven_on", D(2026, 9, 5)),
            "proven_by": "conviction",
            "category": "theft",
        },
    )
    assert "An offence cannot be proven before it was committed." in response.content.decode()
    assert not ProvenOffence.objects.exists()


def test_the_person_forms_name_the_person(case: Referral, manager: User) -> None:
    page = _client(manager).get(f"/participants/{case.participant_id}/orders/new/").content.decode()
    assert case.participant.full_name in page
    assert re.search(r"Record an order or licence", page)
    assert Service.objects.count() == 1


def test_a_target_cleared_on_the_form_is_removed(case: Referral, manager: User) -> None:
    client = _client(manager)
    client.post("/outcomes/targets/", {"tolerance": "10", "starts__intermediate": "1"})
    assert Target.objects.count() == 1
    client.post("/outcomes/targets/", {"tolerance": "10", "starts__intermediate": ""})
    assert not Target.objects.filter(measure_key="starts").exists()
