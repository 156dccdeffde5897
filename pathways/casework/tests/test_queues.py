"""The work queue (casework/queues.py): the manager's home and a worker's To do. Each item
finds the case built for it, and not one of another patch or service; the caseload flags
overdue sustainment checks and "no contact in 4 weeks"; the page's queries do not grow
with the service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pathways.accounts.models import Patch, Service, User
from pathways.contacts import services as contacts
from pathways.contacts.models import Attendance, Contact, Mode
from pathways.contacts.selectors import EARLY_PLACEMENT_DAYS, RECENT_DAYS, without_early_contact
from pathways.contacts.services import Outcome, When
from pathways.employers.models import OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.placements import services as placements
from pathways.placements.access import placements_for
from pathways.placements.models import Placement
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.referrals import services as referrals
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import NOW, STARTED, make_active, make_referral
from pathways.referrals.waiting import PlaceEstimate

pytestmark = pytest.mark.django_db

TODO = "/to-do/"
ALL_ITEMS = [
    "awaiting-decision",
    "no-worker",
    "waiting-list",
    "reviews-overdue",
    "awaiting-feedback",
    "sustainment-due",
    "no-contact",
    "placement-no-contact",
]
OWN_ITEMS = ALL_ITEMS[3:]


@dataclass
class Cases:
    """One patch's cases, one for each item of the queue."""

    supported: Referral  # allocated, started STARTED: review overdue, no contact in 4 weeks
    placement: Placement  # a job started STARTED: sustainment check due, no early contact
    feedback: Contact  # an appointment past with no outcome
    unallocated: Referral
    received: Referral
    waiting: Referral


def service_id(user: User) -> int:
    assert user.service_id is not None
    return user.service_id


def _build(
    clock: time_machine.Traveller,
    referrer: User,
    manager: User,
    worker: User,
    patch: Patch,
) -> Cases:
    """Built with the clock at STARTED; leaves it at NOW."""
    clock.move_to(STARTED)
    area = patch.areas.get()
    supported = make_active(referrer, manager, area=area)
    referrals.referral_allocate(actor=manager, referral=supported, worker=worker)
    make_profile(worker, supported.participant)
    job = make_opportunity(worker, make_employer(worker, patch=patch), kind=OpportunityKind.JOB)
    placement = put_forward(worker, supported.participant, job)
    placements.placement_decide(actor=worker, placement=placement, accepted=True, on=STARTED.date())
    placements.placement_start(actor=worker, placement=placement, on=STARTED.date())
    feedback = contacts.contact_book(
        actor=worker,
        referral=supported,
        when=When(
            starts_at=STARTED + datetime.timedelta(days=2), mode=Mode.PHONE, duration_minutes=30
        ),
    )
    unallocated = make_active(referrer, manager, area=area)
    clock.move_to(NOW)
    received = make_referral(referrer, area=area)
    return Cases(supported, placement, feedback, unallocated, received, received)


def _wait(referrer: User, manager: User, *cases: Cases) -> None:
    """Fill the service, then accept one more in each patch: they wait."""
    service = Service.objects.get(pk=service_id(manager))
    service.capacity = Referral.objects.filter(service=service).active().count()
    service.save()
    for case in cases:
        area = case.supported.participant.area
        case.waiting = referrals.referral_accept(
            actor=manager, referral=make_referral(referrer, area=area)
        )
        assert case.waiting.accepted_at is not None and case.waiting.started_at is None


def _build_all(
    clock: time_machine.Traveller, personas: dict[str, User], north: Patch, south: Patch
) -> tuple[Cases, Cases]:
    referrer, manager = personas["referrer"], personas["manager"]
    Service.objects.filter(pk=service_id(manager)).update(capacity=1000)
    cases = (
        _build(clock, referrer, manager, personas["worker_north"], north),
        _build(clock, referrer, manager, personas["worker_south"], south),
    )
    _wait(referrer, manager, *cases)
    return cases


@pytest.fixture
def world(
    clock: time_machine.Traveller, personas: dict[str, User], north: Patch, south: Patch
) -> tuple[Cases, Cases]:
    return _build_all(clock, personas, north, south)


@pytest.fixture
def north_cases(world: tuple[Cases, Cases]) -> Cases:
    return world[0]


@pytest.fixture
def south_cases(world: tuple[Cases, Cases]) -> Cases:
    return world[1]


def _queue(client: Client, user: User) -> dict[str, list[int]]:
    client.force_login(user)
    response = client.get(TODO)
    assert response.status_code == 200
    return {q.key: [row.pk for row in q.rows] for q in response.context["queues"]}


def _expected(cases: Cases) -> dict[str, list[int]]:
    return {
        "awaiting-decision": [cases.received.pk],
        "no-worker": [cases.unallocated.pk],
        "waiting-list": [cases.waiting.pk],
        "reviews-overdue": [cases.supported.pk],
        "awaiting-feedback": [cases.feedback.pk],
        "sustainment-due": [cases.placement.sustainment_checks.get(weeks=4).pk],
        "no-contact": [cases.supported.pk],
        "placement-no-contact": [cases.placement.pk],
    }


def test_the_managers_home_is_the_work_queue(
    client: Client, personas: dict[str, User], north_cases: Cases, south_cases: Cases
) -> None:
    client.force_login(personas["manager"])
    assert client.get("/")["Location"] == TODO
    queue = _queue(client, personas["manager"])
    assert list(queue) == ALL_ITEMS
    north, south = _expected(north_cases), _expected(south_cases)
    expected = {key: north[key] + south[key] for key in ALL_ITEMS}
    # The unallocated people have had no contact or review either; all started together.
    started = [north_cases.supported, north_cases.unallocated]
    started += [south_cases.supported, south_cases.unallocated]
    expected["no-contact"] = [r.pk for r in started]
    expected["reviews-overdue"] = [r.pk for r in started]
    assert queue == expected
    html = client.get(TODO).content.decode()
    assert north_cases.received.participant.full_name in html
    assert "Support ended for" in html or "no rate to estimate" in html


def test_each_item_shows_its_count_and_oldest_first(
    client: Client, personas: dict[str, User], north_cases: Cases, south_cases: Cases
) -> None:
    client.force_login(personas["manager"])
    queues = {q.key: q for q in client.get(TODO).context["queues"]}
    received = queues["awaiting-decision"]
    assert received.count == 2
    assert [r.pk for r in received.rows] == [north_cases.received.pk, south_cases.received.pk]
    assert received.oldest_days == 0
    quiet = queues["no-contact"]
    assert quiet.rows[0].pk == north_cases.supported.pk
    assert quiet.oldest_days == (NOW.date() - STARTED.date()).days
    assert queues["placement-no-contact"].count == 2
    assert queues["waiting-list"].rows[0].position == 1


def test_a_worker_sees_only_their_own_people(
    client: Client, personas: dict[str, User], north_cases: Cases, south_cases: Cases
) -> None:
    north = _queue(client, personas["worker_north"])
    south = _queue(client, personas["worker_south"])
    assert list(north) == OWN_ITEMS
    mine = {k: v for k, v in _expected(north_cases).items() if k in OWN_ITEMS}
    theirs = {k: v for k, v in _expected(south_cases).items() if k in OWN_ITEMS}
    assert north == mine
    assert south == theirs


def test_another_services_manager_sees_none_of_it(
    client: Client, personas: dict[str, User], north_cases: Cases
) -> None:
    queue = _queue(client, personas["outsider"])
    assert all(rows == [] for rows in queue.values())


def test_the_todo_list_audits_the_people_it_shows(
    client: Client, personas: dict[str, User], north_cases: Cases
) -> None:
    from pathways.core.models import AuditEvent

    _queue(client, personas["worker_north"])
    event = AuditEvent.objects.filter(action="todo.viewed").latest("id")
    shown = event.detail["shown"]
    assert shown["referrals.referral"] == [north_cases.supported.pk]
    assert shown["placements.placement"] == [north_cases.placement.pk]
    assert north_cases.supported.participant.full_name not in str(event.detail)


def _record(worker: User, referral: Referral, when: datetime.datetime, **kw: Any) -> Contact:
    return contacts.contact_record(
        actor=worker,
        referral=referral,
        when=When(starts_at=when, mode=kw.pop("mode", Mode.PHONE), duration_minutes=30, **kw),
        outcome=Outcome(happened=True, attended=Attendance.YES),
    )


def test_a_contact_within_four_weeks_clears_no_contact(
    client: Client, personas: dict[str, User], north_cases: Cases
) -> None:
    worker = personas["worker_north"]
    _record(worker, north_cases.supported, NOW - datetime.timedelta(days=RECENT_DAYS + 1))
    assert north_cases.supported.pk in _queue(client, worker)["no-contact"]
    _record(worker, north_cases.supported, NOW - datetime.timedelta(days=RECENT_DAYS - 1))
    assert _queue(client, worker)["no-contact"] == []


def test_only_a_contact_in_the_first_two_weeks_counts_for_a_placement(
    personas: dict[str, User], north_cases: Cases
) -> None:
    worker, placement = personas["worker_north"], north_cases.placement
    today = NOW.date()

    def flagged() -> bool:
        return without_early_contact(placements_for(worker), today).filter(pk=placement.pk).exists()

    assert flagged()
    # On the 15th day: too late.
    late = STARTED + datetime.timedelta(days=EARLY_PLACEMENT_DAYS)
    _record(worker, north_cases.supported, late, mode=Mode.PLACEMENT, placement=placement)
    assert flagged()
    # On the 14th day: in time.
    in_time = STARTED + datetime.timedelta(days=EARLY_PLACEMENT_DAYS - 1)
    _record(worker, north_cases.supported, in_time, mode=Mode.PLACEMENT, placement=placement)
    assert not flagged()


def test_a_placement_in_its_first_two_weeks_is_not_yet_flagged(
    clock: time_machine.Traveller, personas: dict[str, User], north_cases: Cases
) -> None:
    worker = personas["worker_north"]
    last_early_day = STARTED.date() + datetime.timedelta(days=EARLY_PLACEMENT_DAYS - 1)
    assert not without_early_contact(placements_for(worker), last_early_day).exists()
    day_after = last_early_day + datetime.timedelta(days=1)
    assert without_early_contact(placements_for(worker), day_after).exists()


def test_the_caseload_flags_overdue_checks_and_no_contact(
    client: Client, personas: dict[str, User], north_cases: Cases
) -> None:
    worker = personas["worker_north"]
    client.force_login(worker)
    html = client.get("/caseload/").content.decode()
    assert "No contact in 4 weeks" in html
    assert "Sustainment check overdue" in html
    check = north_cases.placement.sustainment_checks.get(weeks=4)
    placements.sustainment_check_record(
        actor=worker, check=check, checked_on=NOW.date(), in_work=True, note=""
    )
    _record(worker, north_cases.supported, NOW - datetime.timedelta(days=1))
    html = client.get("/caseload/").content.decode()
    assert "No contact in 4 weeks" not in html
    assert "Sustainment check overdue" not in html


def test_the_page_makes_the_same_queries_as_the_service_grows(
    clock: time_machine.Traveller,
    client: Client,
    personas: dict[str, User],
    north_cases: Cases,
    south: Patch,
) -> None:
    manager, worker = personas["manager"], personas["worker_north"]

    def queries(user: User) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TODO).status_code == 200
        return len(captured)

    small = {"manager": queries(manager), "worker": queries(worker)}
    north = Patch.objects.get(pk=worker.patch_id or 0)
    for _ in range(3):
        _build_all(clock, personas, north, south)
    client.force_login(manager)
    assert client.get(TODO).context["queues"][0].count == 8
    assert {"manager": queries(manager), "worker": queries(worker)} == small


# PostgreSQL's join_collapse_limit and from_collapse_limit (8 by default): a query joining
# more relations than this, counting those of the EXISTS and IN subqueries it pulls up into
# the join, is planned in parts in the order written. The sustainment checks due, scoped by
# an EXISTS over placements nested in one over referrals (10 relations), joined every
# service's due checks to their people before scoping them: 4.6 times as slow with 50
# services (bench/pages_by_services.py).
COLLAPSE_LIMIT = 8


def _joined(sql: str) -> int:
    """The relations PostgreSQL plans as one join: the FROM list's and those of the EXISTS,
    IN and FROM subqueries it pulls up, not those of scalar subqueries (planned apart)."""
    relations = 0
    scalar: list[bool] = []  # for each open parenthesis: inside a scalar subquery?
    for at, char in enumerate(sql):
        if char == "(":
            before = sql[:at].rstrip().upper()
            subquery = sql[at + 1 :].lstrip().upper().startswith("SELECT")
            pulled_up = before.endswith(("EXISTS", " IN", "FROM"))
            scalar.append(subquery and not pulled_up)
        elif char == ")":
            scalar.pop()
        elif sql.startswith(('FROM "', 'JOIN "'), at) and not any(scalar):
            relations += 1
    return relations


def test_joined_counts_pulled_up_subqueries_and_not_scalar_ones() -> None:
    sql = (
        'SELECT "a"."id", (SELECT MAX("x") FROM "c" INNER JOIN "d" ON (1)) FROM "a" '
        'INNER JOIN "b" ON ("a"."id" = "b"."id") WHERE EXISTS(SELECT 1 FROM "e" '
        'WHERE NOT EXISTS(SELECT 1 FROM "f" WHERE "f"."id" IN (SELECT "id" FROM "g")))'
    )
    assert _joined(sql) == 5  # a, b, e, f, g: never c or d


def test_each_query_of_the_page_is_one_join_the_planner_may_order(
    client: Client, personas: dict[str, User], north_cases: Cases
) -> None:
    for user in (personas["manager"], personas["worker_north"]):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TODO).status_code == 200
        selects = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
        assert any("sustainmentcheck" in sql for sql in selects)
        too_many = [sql for sql in selects if _joined(sql) > COLLAPSE_LIMIT]
        assert too_many == [], user.username


def test_the_estimate_is_the_past_rate_explained_in_words() -> None:
    none = PlaceEstimate(ended=0)
    assert none.days_until_place(1) is None
    assert "no rate" in none.explanation
    rate = PlaceEstimate(ended=13, weeks=13)  # one place a week
    assert rate.days_until_place(1) == 7
    assert rate.days_until_place(3) == 21
    assert "13 people in the last 13 weeks" in rate.explanation


def test_plan_reviews_are_listed_longest_overdue_first(
    clock: time_machine.Traveller, client: Client, personas: dict[str, User], north: Patch
) -> None:
    """An initial review (due INITIAL_REVIEW_DAYS after the start) and a later review's
    date are ordered together by when each was due."""
    from pathways.plans import services as plans
    from pathways.plans.models import INITIAL_REVIEW_DAYS, ReviewReason

    referrer, manager, worker = personas["referrer"], personas["manager"], personas["worker_north"]
    clock.move_to(STARTED)
    reviewed = make_active(referrer, manager)
    referrals.referral_allocate(actor=manager, referral=reviewed, worker=worker)
    plans.review_record(
        actor=worker,
        referral=reviewed,
        reviewed_on=STARTED.date(),
        reason=ReviewReason.INITIAL,
        what_changed="Set goals.",
        next_review_due=STARTED.date() + datetime.timedelta(days=2),
    )
    clock.move_to(STARTED + datetime.timedelta(days=5))
    initial = make_active(referrer, manager)  # its first review due 5 + 14 days after STARTED
    referrals.referral_allocate(actor=manager, referral=initial, worker=worker)
    clock.move_to(NOW)
    queue = {q.key: q for q in _queue_items(client, worker)}["reviews-overdue"]
    assert [row.pk for row in queue.rows] == [reviewed.pk, initial.pk]
    due = STARTED.date() + datetime.timedelta(days=5 + INITIAL_REVIEW_DAYS)
    assert [row.days for row in queue.rows] == [
        (NOW.date() - STARTED.date()).days - 2,
        (NOW.date() - due).days,
    ]
    assert queue.oldest_days == queue.rows[0].days


def _queue_items(client: Client, user: User) -> list[Any]:
    client.force_login(user)
    return list(client.get(TODO).context["queues"])
