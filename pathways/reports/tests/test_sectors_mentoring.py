"""Construction first (figures by sector) and mentoring in the first four weeks of a
placement: counted by hand on the world of conftest.py, in the RR Board report and on the
dashboard."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from pathways.accounts.models import Patch, Service, User
from pathways.contacts.models import Contact
from pathways.contacts.tests.factories import past_contact
from pathways.core.periods import Period
from pathways.employers.models import Engagement, Opportunity, OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity, sector
from pathways.outcomes.figures import mentoring_figures, mentoring_text, sector_figures
from pathways.placements.models import Placement
from pathways.referrals.models import Referral
from pathways.reports.board import sections
from pathways.reports.tests.conftest import END, START, at

pytestmark = pytest.mark.django_db

HALF = Period(START, END)
D = datetime.date


def _contact(referral: Referral, when: datetime.datetime, happened: bool = True) -> Contact:
    booked_by = User.objects.filter(role="manager").first()
    assert booked_by is not None
    return past_contact(referral, when, booked_by, happened=happened)


@pytest.fixture
def sectors(world: dict[str, Referral], worker_north: User, north: Patch) -> dict[str, object]:
    """B's job (1 June) is in construction; E's training placement (1 July) in the supply
    chain; F starts a work placement in retail on 20 October (still in its first four weeks
    on 31 October). A retail opportunity and engagements with a construction and a retail
    employer fall in the half-year; one engagement falls before it."""
    job = Placement.objects.get(referral=world["B"])
    Opportunity.objects.filter(pk=job.opportunity_id).update(sector=sector("construction"))
    training = Placement.objects.get(referral=world["E"])
    Opportunity.objects.filter(pk=training.opportunity_id).update(
        sector=sector("construction-supply")
    )
    builder = make_employer(worker_north, patch=north, sector=sector("construction"))
    shop = make_employer(worker_north, patch=north, sector=sector("retail"))
    retail = make_opportunity(
        worker_north, shop, kind=OpportunityKind.WORK, sector=sector("retail")
    )
    Opportunity.objects.filter(pk=retail.pk).update(created_at=at(2025, 6, 1))
    Opportunity.objects.exclude(pk=retail.pk).update(created_at=at(2025, 4, 1))
    for employer, on in ((builder, D(2025, 5, 2)), (builder, D(2025, 9, 1)), (shop, D(2025, 7, 1))):
        Engagement.objects.create(
            employer=employer, on=on, worker=worker_north, what_happened="Visit"
        )
    Engagement.objects.create(
        employer=shop, on=D(2025, 4, 30), worker=worker_north, what_happened="Call"
    )
    Placement.objects.create(
        referral=world["F"],
        participant=world["F"].participant,
        opportunity=retail,
        put_forward_by=worker_north,
        accepted_on=D(2025, 10, 20),
        started_on=D(2025, 10, 20),
    )
    # B's first four weeks: 1 June to 28 June. In: the start day and the 27th day after.
    _contact(world["B"], at(2025, 6, 1, 9))
    _contact(world["B"], at(2025, 6, 28, 16))
    _contact(world["B"], at(2025, 6, 29, 9))  # the 28th day: out
    _contact(world["B"], at(2025, 6, 5, 9), happened=False)  # did not take place
    _contact(world["B"], at(2025, 5, 31, 9))  # before the start
    return {"builder": builder, "shop": shop}


def test_figures_by_sector_put_construction_first(
    sectors: dict[str, object], service: Service
) -> None:
    assert sector_figures(service, HALF) == {
        "construction": {
            "employers_engaged": 1,  # the builder, twice: once
            "opportunities_created": 0,
            "placements_started": 0,
            "job_starts": 1,  # B
        },
        "construction-supply": {
            "employers_engaged": 0,
            "opportunities_created": 0,
            "placements_started": 1,  # E
            "job_starts": 0,
        },
        "other": {
            "employers_engaged": 1,  # the shop (its April call is before the half-year)
            "opportunities_created": 1,
            "placements_started": 1,  # F
            "job_starts": 0,
        },
    }


def test_mentoring_in_the_first_four_weeks(sectors: dict[str, object], service: Service) -> None:
    figures = mentoring_figures(service, HALF, END)
    # B (2 contacts in her first four weeks) and E (none); F's weeks run to 16 November.
    assert figures == {"placements": 2, "with_contact": 1, "contacts": 2, "in_first_weeks": 1}
    assert mentoring_text(figures) == (
        "Of 2 placements started whose first four weeks had ended, 1 (50%) had a mentoring "
        "contact in those weeks: 2 contacts, 1.0 per placement."
    )
    # As at 27 June, B's four weeks had not ended: nothing is judged yet.
    early = mentoring_figures(service, HALF, D(2025, 6, 27))
    assert early == {"placements": 0, "with_contact": 0, "contacts": 0, "in_first_weeks": 1}
    assert mentoring_text(early).startswith("No placement started in the period had reached")


def test_the_board_report_and_the_dashboard_show_them(
    sectors: dict[str, object], service: Service, manager: User, client: Client
) -> None:
    from pathways.outcomes.figures import record_figures
    from pathways.outcomes.selectors import measures_for_period

    counted = record_figures(service, HALF)
    results = measures_for_period(service, HALF)
    section = next(
        s
        for s in sections(service, HALF, results, counted, commentary="")
        if s["key"] == "placements"
    )
    by_sector = next(t for t in section["tables"] if t["caption"].startswith("By sector"))
    assert [row[0] for row in by_sector["rows"]] == [
        "Construction",
        "Construction supply chain",
        "Other sectors",
    ]
    assert by_sector["rows"][0][1:] == [1, 0, 0, 1]
    mentoring = next(t for t in section["tables"] if t["caption"].startswith("Mentoring"))
    assert ["Share with a contact", "50%"] in mentoring["rows"]
    client.force_login(manager)
    page = client.get(f"/outcomes/?period={HALF.key}")
    assert page.status_code == 200
    assert "Construction first: by sector" in page.content.decode()
