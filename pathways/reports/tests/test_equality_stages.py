"""Equality monitoring: "Into work" is the job-start measure's count, and the legend of
[c] is the same on the page and in the RR Board report."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.core.periods import Period
from pathways.employers.models import Opportunity, OpportunityKind
from pathways.outcomes.equality import CHARACTERISTICS, raw_counts
from pathways.outcomes.measures import BY_KEY
from pathways.placements.models import Placement
from pathways.referrals.models import Referral
from pathways.reports.board_sections import equality_section
from pathways.reports.equality import equality_report
from pathways.reports.tests.conftest import END, START

pytestmark = pytest.mark.django_db

HALF = Period(START, END)


def _job(referral: Referral, on: datetime.date) -> None:
    job = Opportunity.objects.filter(kind=OpportunityKind.JOB).first()
    assert job is not None
    Placement.objects.create(
        referral=referral,
        participant=referral.participant,
        opportunity=job,
        put_forward_by=job.created_by,
        accepted_on=on,
        started_on=on,
    )


def test_into_work_is_the_job_start_measure(world: dict[str, Referral], service: Service) -> None:
    """A (referred before the half-year) starts a job in it: counted into work; B's second
    job counts her once; E's support ending "into sustained work" is not a job start."""
    _job(world["A"], datetime.date(2025, 6, 10))
    _job(world["B"], datetime.date(2025, 8, 1))
    _job(world["C"], datetime.date(2025, 11, 2))  # after the half-year
    counts = raw_counts(service, START, END)
    job_starts = BY_KEY["job_starts"].compute(service, HALF, END).value
    starts_split = dict(BY_KEY["placement_starts"].compute(service, HALF, END).breakdown)
    assert job_starts == starts_split["Job vacancy"] == 2
    for characteristic in CHARACTERISTICS:
        rows = counts[characteristic.key].values()
        assert sum(row["into_work"] for row in rows) == job_starts, characteristic.key
        # A is not one of the half-year's referrals: the cohort's stages are unchanged.
        assert sum(row["referred"] for row in rows) == 4
    # A, referred at 35 on 30 April 2025, is in the band of that referral.
    assert counts["age_band"]["35-44"]["into_work"] == 1
    assert counts["sex"][""]["into_work"] == 1  # A has no equality record
    # Into work has no rate: its people need not be the period's referrals.
    working = equality_report(service, START, END, controlled=False)
    assert all(row.figures[-1].rate is None for t in working.tables for row in t.rows)


def test_the_legend_is_the_same_on_the_page_and_in_the_report(
    world: dict[str, Referral], service: Service, commissioner: User, client: Client
) -> None:
    report = equality_report(service, START, END)
    assert "a count from 1 to 4, or a count hidden so that one of those cannot be" in (
        report.legend
    )
    assert report.legend in equality_section(service, HALF)["paragraphs"]
    client.force_login(commissioner)
    page = client.get(
        "/reports/equality/?start-day=1&start-month=5&start-year=2025"
        "&end-day=31&end-month=10&end-year=2025"
    )
    assert report.legend.replace('"', "&quot;") in page.content.decode() or (
        report.legend in page.content.decode()
    )


def test_a_group_nobody_referred_shows_its_zeros(
    world: dict[str, Referral], service: Service
) -> None:
    """A zero that follows from another (nothing completed where nobody was referred) is
    not suppressed: every group with no referral shows 0 at every stage of the cohort."""
    report = equality_report(service, START, END)
    for table in report.tables:
        for row in table.rows:
            if row.figures[0].count == 0:
                assert [f.count for f in row.figures[:5]] == [0, 0, 0, 0, 0], (table.key, row)
