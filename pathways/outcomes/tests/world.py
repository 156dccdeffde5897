"""One small world, counted by hand, for the measures.

Everything happens through the services, with the clock set by time_machine to the
moment of each event, except where a service cannot backdate (orders and offences from a
probation extract are written as the imports app writes them). The half-year of interest
is May to October 2024 (``HALF``); ``BEFORE`` and ``AFTER`` are its neighbours. Records
sit on the boundaries: 30 April / 1 May (British Summer Time, so 23:30 UTC on 30 April is
00:30 on 1 May) and 31 October / 1 November (Greenwich Mean Time again, so 23:30 UTC on
31 October is still 31 October).

The people (all in the North patch), by first name:

| person | referral and support                                                        |
| ------ | --------------------------------------------------------------------------- |
| Fay    | started 1 Feb 2024; ended 31 Oct 2024 23:30 GMT, into sustained work        |
| Ada    | started 1 Mar 2024; readings 5 Mar (3s) and 1 May (5s); placements 1 and 2  |
| Jo     | started 15 Mar 2024; readings 20 Mar, 30 Apr (4s), 1 Nov (6s); job 3        |
| Bea    | received 30 Apr 23:30 BST, accepted and started 1 May 00:30 BST; job 4      |
| Kit    | received 1 May 00:00 BST exactly; declined                                  |
| Eve    | started 10 May 2024; ended 1 Aug 2024, disengaged                           |
| Gus    | started 1 Jun 2024; ended 1 Nov 2024 00:30 GMT, disengaged; placement 5     |
| Hal    | accepted 1 Jun 2024 onto the waiting list (service full); place 11 Jun      |
| Ivy    | received 5 Jun, started 11 Jun 2024; job 7 ended early                      |
| Cal    | received 31 Oct 2024 23:30 GMT; accepted and started 1 Nov 2024 00:00 GMT   |
| Dan    | received 1 Nov 2024 00:00 GMT; never started                                |
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from pathways.accounts.models import Area, Patch, Service, User
from pathways.accounts.tests.factories import UserFactory
from pathways.core.periods import half_year
from pathways.core.roles import Role
from pathways.employers.models import Employer, Opportunity, OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.outcomes import services as outcomes
from pathways.outcomes.models import (
    OffenceGroup,
    Order,
    ProvenBy,
    ProvenOffence,
    Source,
    Termination,
)
from pathways.placements import services as placements
from pathways.placements.models import Placement, PlacementEndReason, SustainmentCheck
from pathways.placements.tests.factories import make_profile, put_forward
from pathways.plans import services as plans
from pathways.plans.models import ReadingKind
from pathways.plans.selectors import default_instrument
from pathways.referrals import services as referrals
from pathways.referrals.models import DeclineReason, EndReason, OrderType, Referral
from pathways.referrals.tests.factories import make_referral

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
D = datetime.date

HALF = half_year(D(2024, 5, 1))  # 1 May to 31 October 2024
BEFORE = half_year(D(2024, 4, 30))  # 1 November 2023 to 30 April 2024
AFTER = half_year(D(2024, 11, 1))  # 1 November 2024 to 30 April 2025
# Every follow-up window of the half-year's starts has closed by then (the last, Hal's and
# Ivy's, closes on 11 December 2025), and every fact below is in the past.
AS_OF = D(2026, 3, 1)

SURNAMES = {
    "Ada": "Abbot",
    "Bea": "Bramble",
    "Cal": "Cheswick",
    "Dan": "Dunmore",
    "Eve": "Eastley",
    "Fay": "Farrant",
    "Gus": "Gorringe",
    "Hal": "Hennessy",
    "Ivy": "Ingleby",
    "Jo": "Jessop",
    "Kit": "Kempe",
    "Lea": "Lathbury",  # the next four only in the tests of measure 8 index dates
    "Rex": "Rowntree",
    "Sol": "Stanhope",
    "Tam": "Tilbury",
    "Uma": "Upcott",
}


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def late_order(world: World, source_ref: str) -> Order:
    """Eve's community order that ended, completed, in the half-year, recorded on 10
    February 2026, long after it: a fact about the half-year recorded after its end."""
    created: Order = Order.objects.create(
        participant=world.person("Eve"),
        order_type=OrderType.COMMUNITY_ORDER,
        start_date=D(2023, 6, 1),
        actual_end_date=D(2024, 7, 1),
        termination=Termination.COMPLETED,
        source=Source.IMPORT,
        source_ref=source_ref,
        recorded_at=local(2026, 2, 10, 9),
    )
    return created


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@contextmanager
def at(moment: datetime.datetime | datetime.date) -> Iterator[None]:
    """The clock stands still at ``moment`` (a date means noon, London time)."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(12), LONDON)
    with time_machine.travel(moment, tick=False):
        yield


@dataclass
class World:
    service: Service
    referrer: User
    manager: User
    worker: User
    referrals: dict[str, Referral] = field(default_factory=dict)
    opportunities: dict[str, Opportunity] = field(default_factory=dict)
    placements: dict[str, Placement] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    offences: dict[str, ProvenOffence] = field(default_factory=dict)

    def check(self, placement: str, weeks: int) -> SustainmentCheck:
        return SustainmentCheck.objects.get(placement=self.placements[placement], weeks=weeks)

    def person(self, name: str) -> Any:
        return self.referrals[name].participant

    def refresh(self) -> None:
        for referral in self.referrals.values():
            referral.refresh_from_db()


class _Builder:
    def __init__(self, world: World) -> None:
        self.w = world

    def refer(self, name: str, moment: datetime.datetime) -> Referral:
        with at(moment):
            referral = make_referral(self.w.referrer, first_name=name, last_name=SURNAMES[name])
        self.w.referrals[name] = referral
        return referral

    def accept(self, name: str, moment: datetime.datetime) -> Referral:
        with at(moment):
            referral = referrals.referral_accept(
                actor=self.w.manager, referral=self.w.referrals[name]
            )
        self.w.referrals[name] = referral
        return referral

    def start(self, name: str, moment: datetime.datetime) -> Referral:
        self.refer(name, moment)
        referral = self.accept(name, moment)
        with at(moment):
            make_profile(self.w.worker, referral.participant)
        return referral

    def end(self, name: str, moment: datetime.datetime, code: str) -> None:
        with at(moment):
            referrals.referral_end(
                actor=self.w.manager,
                referral=self.w.referrals[name],
                reason=EndReason.objects.get(code=code),
                closing_summary="Closing summary.",
            )

    def read(self, name: str, kind: ReadingKind, on: datetime.date, score: int) -> None:
        instrument = default_instrument()
        assert instrument is not None
        with at(on):
            plans.reading_record(
                actor=self.w.worker,
                referral=self.w.referrals[name],
                instrument=instrument,
                kind=kind,
                taken_on=on,
                scores={area.pk: score for area in instrument.areas.all()},
            )

    def opportunity(
        self, key: str, employer: Employer, kind: str, moment: datetime.datetime
    ) -> Opportunity:
        with at(moment):
            made = make_opportunity(self.w.worker, employer, kind=kind, title=f"Opportunity {key}")
        self.w.opportunities[key] = made
        return made

    def put_forward(self, key: str, name: str, opportunity: str, moment: datetime.datetime) -> None:
        with at(moment):
            self.w.placements[key] = put_forward(
                self.w.worker, self.w.person(name), self.w.opportunities[opportunity]
            )

    def start_placement(self, key: str, on: datetime.date) -> None:
        with at(on):
            placement = placements.placement_decide(
                actor=self.w.worker, placement=self.w.placements[key], accepted=True, on=on
            )
            self.w.placements[key] = placements.placement_start(
                actor=self.w.worker, placement=placement, on=on
            )

    def complete(self, key: str, on: datetime.date) -> None:
        with at(on):
            self.w.placements[key] = placements.placement_complete(
                actor=self.w.worker, placement=self.w.placements[key], on=on
            )

    def checked(self, key: str, weeks: int, on: datetime.date, in_work: bool) -> None:
        with at(on):
            placements.sustainment_check_record(
                actor=self.w.worker, check=self.w.check(key, weeks), checked_on=on, in_work=in_work
            )

    def order(
        self,
        key: str,
        name: str,
        order_type: str,
        start: datetime.date,
        end: datetime.date | None,
        termination: str = "",
        *,
        imported: bool = False,
    ) -> None:
        if imported:
            self.w.orders[key] = Order.objects.create(
                participant=self.w.person(name),
                order_type=order_type,
                start_date=start,
                actual_end_date=end,
                termination=termination,
                source=Source.IMPORT,
                source_ref="extract-1",
                recorded_at=local(2026, 2, 1, 9),
            )
            return
        with at(AS_OF):
            self.w.orders[key] = outcomes.order_record(
                actor=self.w.manager,
                participant=self.w.person(name),
                order_type=order_type,
                start_date=start,
                actual_end_date=end,
                termination=termination,
            )

    def offence(
        self,
        key: str,
        name: str,
        committed: datetime.date,
        proven: datetime.date,
        by: str = ProvenBy.CONVICTION,
    ) -> None:
        # Recorded on the day it was proven (figures as at a day count only what was
        # recorded by then).
        with at(proven):
            self.w.offences[key] = outcomes.offence_record(
                actor=self.w.manager,
                participant=self.w.person(name),
                committed_on=committed,
                proven_on=proven,
                proven_by=by,
                category=OffenceGroup.THEFT,
            )


def build(
    *, service: Service, referrer: User, manager: User, worker: User, outsider: User
) -> World:
    """The world of the module docstring, in the order things happened."""
    w = World(service=service, referrer=referrer, manager=manager, worker=worker)
    b = _Builder(w)
    JOB, WORK, TRAINING = OpportunityKind.JOB, OpportunityKind.WORK, OpportunityKind.TRAINING
    assert worker.patch is not None
    with at(local(2024, 1, 10, 10)):
        employer = make_employer(worker, patch=worker.patch)

    b.start("Fay", local(2024, 2, 1, 10))
    b.start("Ada", local(2024, 3, 1, 10))
    b.opportunity("j0", employer, JOB, local(2024, 3, 1, 11))
    b.read("Ada", ReadingKind.INTAKE, D(2024, 3, 5), 3)
    b.start("Jo", local(2024, 3, 15, 10))
    b.read("Jo", ReadingKind.INTAKE, D(2024, 3, 20), 4)
    b.put_forward("p3", "Jo", "j0", local(2024, 3, 20, 11))
    b.start_placement("p3", D(2024, 4, 3))  # checks due 1 May, 3 July, 2 October 2024
    b.read("Jo", ReadingKind.REVIEW, D(2024, 4, 30), 4)

    # 30 April / 1 May: midnight in London is 23:00 UTC.
    b.refer("Bea", utc(2024, 4, 30, 22, 30))  # 23:30 BST, 30 April
    b.opportunity("t0", employer, TRAINING, utc(2024, 4, 30, 22, 30))  # 30 April
    b.put_forward("p1", "Ada", "t0", utc(2024, 4, 30, 22, 45))  # 30 April
    b.refer("Kit", utc(2024, 4, 30, 23, 0))  # 00:00 BST, 1 May
    b.accept("Bea", utc(2024, 4, 30, 23, 30))  # 00:30 BST, 1 May: starts then
    b.opportunity("t1", employer, TRAINING, utc(2024, 4, 30, 23, 30))  # 1 May
    b.put_forward("p2", "Ada", "t1", utc(2024, 4, 30, 23, 40))  # 1 May
    b.start_placement("p1", D(2024, 5, 1))
    b.read("Ada", ReadingKind.REVIEW, D(2024, 5, 1), 5)
    with at(D(2024, 5, 1)):
        make_profile(worker, w.person("Bea"))
    b.read("Bea", ReadingKind.INTAKE, D(2024, 5, 2), 5)
    b.checked("p3", 4, D(2024, 5, 2), True)
    with at(D(2024, 5, 2)):
        referrals.referral_decline(
            actor=manager,
            referral=w.referrals["Kit"],
            reason=DeclineReason.objects.get(code="no-contact"),
        )

    b.start("Eve", local(2024, 5, 10, 10))
    b.start("Gus", local(2024, 6, 1, 9))
    # Hal is accepted while the service is full, and waits.
    b.refer("Hal", local(2024, 6, 1, 10))
    active = Referral.objects.filter(service=service).active().count()
    Service.objects.filter(pk=service.pk).update(capacity=active)
    b.accept("Hal", local(2024, 6, 1, 10))
    assert w.referrals["Hal"].started_at is None
    Service.objects.filter(pk=service.pk).update(capacity=service.capacity)
    b.refer("Ivy", local(2024, 6, 5, 10))
    b.read("Gus", ReadingKind.INTAKE, D(2024, 6, 5), 5)
    # Accepting Ivy fills the free places first: Hal, from the head of the list.
    b.accept("Ivy", local(2024, 6, 11, 10))
    w.refresh()
    assert w.referrals["Hal"].started_at == local(2024, 6, 11, 10)
    with at(D(2024, 6, 11)):
        make_profile(worker, w.person("Hal"))
        make_profile(worker, w.person("Ivy"))

    b.opportunity("j2", employer, JOB, local(2024, 7, 1, 10))
    # Another service's training placement, in the half-year: never counted here.
    other = outsider.service
    assert other is not None
    patch = Patch.objects.create(service=other, name="Elsewhere")
    Area.objects.create(patch=patch, name="Elsewhere town")
    their_worker: User = UserFactory(  # type: ignore[assignment]
        username="worker-elsewhere", role=Role.WORKER, service=other, patch=patch
    )
    with at(local(2024, 7, 1, 10)):
        theirs = make_employer(their_worker, patch=patch)
        w.opportunities["elsewhere"] = make_opportunity(
            their_worker, theirs, kind=TRAINING, title="Elsewhere training"
        )
    b.put_forward("p4", "Bea", "j2", local(2024, 7, 2, 10))
    b.checked("p3", 13, D(2024, 7, 4), False)
    b.start_placement("p4", D(2024, 7, 8))  # checks due 5 Aug, 7 Oct 2024, 6 Jan 2025
    b.put_forward("p7", "Ivy", "j2", local(2024, 7, 10, 10))
    b.start_placement("p7", D(2024, 7, 11))  # checks due 8 Aug, 10 Oct 2024, 9 Jan 2025
    with at(D(2024, 8, 1)):
        w.placements["p7"] = placements.placement_end_early(
            actor=worker,
            placement=w.placements["p7"],
            on=D(2024, 8, 1),
            reason=PlacementEndReason.objects.get(code="stopped-attending"),
        )
    b.end("Eve", local(2024, 8, 1, 10), "disengaged")
    b.checked("p4", 4, D(2024, 8, 6), True)
    b.checked("p7", 4, D(2024, 8, 9), False)
    b.checked("p3", 26, D(2024, 10, 3), True)
    b.checked("p4", 13, D(2024, 10, 8), True)
    b.complete("p1", D(2024, 10, 31))
    b.start_placement("p2", D(2024, 10, 31))
    b.read("Bea", ReadingKind.REVIEW, D(2024, 10, 31), 4)

    # 31 October / 1 November: GMT again, so London and UTC agree.
    b.refer("Cal", utc(2024, 10, 31, 23, 30))
    b.end("Fay", utc(2024, 10, 31, 23, 30), "sustained-work")
    b.opportunity("w1", employer, WORK, utc(2024, 10, 31, 23, 30))
    b.put_forward("p5", "Gus", "w1", utc(2024, 10, 31, 23, 45))
    b.refer("Dan", utc(2024, 11, 1, 0, 0))
    b.accept("Cal", utc(2024, 11, 1, 0, 0))
    b.opportunity("j1", employer, JOB, utc(2024, 11, 1, 0, 0))
    b.put_forward("p6", "Hal", "j1", utc(2024, 11, 1, 0, 10))
    b.end("Gus", utc(2024, 11, 1, 0, 30), "disengaged")
    b.complete("p4", D(2024, 11, 1))
    b.read("Jo", ReadingKind.REVIEW, D(2024, 11, 1), 6)
    b.start_placement("p6", D(2024, 11, 4))
    b.checked("p4", 26, D(2025, 1, 7), True)

    # Orders (measure 7), entered by hand or from an extract.
    COMMUNITY = OrderType.COMMUNITY_ORDER
    DONE, BREACH = Termination.COMPLETED, Termination.BREACH
    b.order("ada_done", "Ada", COMMUNITY, D(2023, 5, 1), D(2024, 5, 1), DONE)
    b.order("ada_breach", "Ada", COMMUNITY, D(2023, 9, 1), D(2024, 9, 1), BREACH, imported=True)
    # Bea started at 00:30 BST on 1 May (30 April in UTC): not started by 30 April.
    b.order("bea", "Bea", OrderType.SUSPENDED_SENTENCE, D(2023, 4, 30), D(2024, 4, 30), DONE)
    b.order("dan", "Dan", COMMUNITY, D(2023, 6, 1), D(2024, 6, 1), DONE)  # never started
    b.order("jo", "Jo", OrderType.YOUTH_REHABILITATION, D(2023, 10, 31), D(2024, 10, 31), BREACH)
    b.order("gus", "Gus", COMMUNITY, D(2023, 8, 1), D(2024, 8, 1), DONE, imported=True)
    b.order("gus_licence", "Gus", OrderType.LICENCE, D(2024, 1, 1), D(2024, 7, 1), DONE)
    b.order("eve", "Eve", COMMUNITY, D(2023, 11, 1), D(2024, 11, 1), DONE)
    b.order("hal_running", "Hal", COMMUNITY, D(2024, 1, 1), None)

    # Proven offences (measure 8). Windows (outcomes.follow_up): committed from the start
    # day and before its first anniversary, proven before the date 18 months on.
    b.offence("bea", "Bea", D(2025, 4, 30), D(2025, 10, 31), ProvenBy.CAUTION)  # last days
    b.offence("eve_late", "Eve", D(2025, 5, 10), D(2025, 6, 1))  # on the anniversary
    b.offence("eve_before", "Eve", D(2024, 5, 9), D(2024, 7, 1))  # before the start
    b.offence("gus_late", "Gus", D(2024, 6, 11), D(2025, 12, 1))  # on the 18-month date
    b.offence("hal_1", "Hal", D(2024, 7, 11), D(2024, 9, 19))
    b.offence("hal_2", "Hal", D(2024, 12, 29), D(2025, 4, 8))
    b.offence("ivy", "Ivy", D(2024, 6, 11), D(2024, 6, 12), ProvenBy.CAUTION)  # start day
    b.offence("ada", "Ada", D(2024, 6, 1), D(2024, 7, 1))  # Ada started before the period
    w.refresh()
    return w
