"""The equality report, counted by hand on the world of conftest.py."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.outcomes.equality import CHARACTERISTICS, raw_counts
from pathways.reports.equality import equality_report
from pathways.reports.tests.conftest import END, START

STAGES = [
    "referred",
    "accepted",
    "started",
    "placement_started",
    "placement_completed",
    "into_work",
]


def _row(*values: int) -> dict[str, int]:
    return dict(zip(STAGES, values, strict=True))


ZERO = _row(0, 0, 0, 0, 0, 0)


@pytest.mark.usefixtures("world")
def test_raw_counts_by_hand(service: Service) -> None:
    counts = raw_counts(service, START, END)
    assert counts["sex"] == {
        "female": _row(1, 1, 1, 1, 0, 1),  # B: a job started
        "male": _row(1, 0, 0, 0, 0, 0),  # C: accepted only after the period
        "prefer_not": ZERO,
        # E (no record: a training placement; support ended into sustained work, which is
        # not a job start), F (declined)
        "": _row(2, 1, 1, 1, 1, 0),
    }
    assert counts["ethnic_group"] == {
        "asian": ZERO,
        "black": _row(1, 0, 0, 0, 0, 0),
        "mixed": ZERO,
        "white": _row(1, 1, 1, 1, 0, 1),
        "other": ZERO,
        "prefer_not": _row(1, 0, 0, 0, 0, 0),
        "": _row(1, 1, 1, 1, 1, 0),
    }
    assert counts["age_band"] == {
        "16-17": _row(1, 1, 1, 1, 0, 1),  # B turns 18 the day after
        "18-24": _row(1, 0, 0, 0, 0, 0),  # C is 18 that day
        "25-34": ZERO,
        "35-44": _row(1, 1, 1, 1, 1, 0),
        "45-54": ZERO,
        "55+": _row(1, 0, 0, 0, 0, 0),
    }
    assert counts["disability"]["yes"] == _row(1, 0, 0, 0, 0, 0)
    assert counts["disability"][""]["referred"] == 3


@pytest.mark.usefixtures("world")
def test_the_period_boundaries(service: Service) -> None:
    # A (30 April 23:30) and D (1 November 00:10) fall in the neighbouring half-years.
    before = raw_counts(service, datetime.date(2024, 11, 1), datetime.date(2025, 4, 30))
    after = raw_counts(service, datetime.date(2025, 11, 1), datetime.date(2026, 4, 30))
    assert before["sex"][""]["referred"] == 1
    assert before["sex"][""]["accepted"] == 0  # A was accepted on 1 May
    assert after["sex"][""]["referred"] == 1


@pytest.mark.usefixtures("world")
def test_every_characteristic_partitions_the_referrals(service: Service) -> None:
    counts = raw_counts(service, START, END)
    for characteristic in CHARACTERISTICS:
        assert sum(row["referred"] for row in counts[characteristic.key].values()) == 4


@pytest.mark.usefixtures("world")
def test_the_published_report_suppresses_small_counts(service: Service) -> None:
    report = equality_report(service, START, END)
    assert report.controlled
    sex = next(t for t in report.tables if t.key == "sex")
    female = next(r for r in sex.rows if r.key == "female")
    assert female.figures[0].count is None and female.figures[0].suppressed
    # The column totals are published; every non-zero count here is 1 or 2, so hidden.
    assert [f.count for f in sex.total.figures] == [4, 2, 2, 2, 1, 1]
    for row in sex.rows:
        for figure in row.figures:
            assert figure.count in (None, 0)
            assert figure.rate is None  # no group has 10 referrals


@pytest.mark.usefixtures("world")
def test_the_working_report_shows_everything(service: Service) -> None:
    report = equality_report(service, START, END, controlled=False)
    sex = next(t for t in report.tables if t.key == "sex")
    female = next(r for r in sex.rows if r.key == "female")
    assert [f.count for f in female.figures] == [1, 1, 1, 1, 0, 1]
    assert female.figures[1].rate == 1.0


def test_counts_are_one_query_per_characteristic(
    service: Service, django_assert_num_queries
) -> None:
    with django_assert_num_queries(len(CHARACTERISTICS)):
        raw_counts(service, START, END)


# The page


def _get(client: Client, user: User, query: str = ""):
    client.force_login(user)
    return client.get("/reports/equality/" + query)


PERIOD = "?start-day=1&start-month=5&start-year=2025&end-day=31&end-month=10&end-year=2025"


@pytest.mark.usefixtures("world")
def test_the_commissioner_sees_only_the_published_figures(
    client: Client, commissioner: User, django_assert_max_num_queries
) -> None:
    client.force_login(commissioner)
    with django_assert_max_num_queries(12):
        response = client.get("/reports/equality/" + PERIOD + "&view=working")
    assert response.status_code == 200
    assert response.context["equality"].controlled
    body = response.content.decode()
    assert "[c]" in body and "not for publication" not in body.lower()


@pytest.mark.usefixtures("world")
def test_the_manager_may_switch_to_the_working_figures(
    client: Client, manager: User, django_assert_max_num_queries
) -> None:
    assert _get(client, manager, PERIOD).context["equality"].controlled
    with django_assert_max_num_queries(12):
        response = client.get("/reports/equality/" + PERIOD + "&view=working")
    assert not response.context["equality"].controlled
    assert "Working figures, not for publication" in response.content.decode()


@pytest.mark.parametrize("persona", ["referrer", "worker_north", "admin"])
def test_other_roles_are_refused(client: Client, personas: dict[str, User], persona: str) -> None:
    assert _get(client, personas[persona]).status_code == 404


@pytest.mark.usefixtures("world")
def test_another_service_sees_only_its_own_figures(client: Client, outsider: User) -> None:
    assert _get(client, outsider, PERIOD).context["equality"].referred == 0
