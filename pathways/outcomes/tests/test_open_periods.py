"""A period still open is judged against its pro-rata target (target x days elapsed /
days in the period) and labelled in progress, never "Below target" from a whole-period
target; the commissioner lands on the last closed half-year, the open one a click away."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.core.periods import half_year
from pathways.outcomes import selectors, services
from pathways.outcomes.measures import BY_KEY, Figure
from pathways.outcomes.models import TargetKind
from pathways.outcomes.selectors import STATUS_WORDS, Status, days_elapsed, judge, pro_rata
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import TODAY

D = datetime.date
HALF = half_year(D(2024, 5, 1))  # 1 May to 31 October 2024: 184 days
STARTS = BY_KEY["placement_starts"]


def test_days_elapsed_and_the_pro_rata_target() -> None:
    assert HALF.days == 184
    assert days_elapsed(HALF, D(2024, 4, 30)) == 0
    assert days_elapsed(HALF, D(2024, 5, 1)) == 1
    assert days_elapsed(HALF, D(2024, 5, 31)) == 31
    assert days_elapsed(HALF, D(2024, 12, 1)) == 184
    assert pro_rata(Decimal(40), HALF, D(2024, 5, 31)) == Decimal("6.74")  # 40 x 31 / 184
    assert pro_rata(Decimal(40), HALF, D(2024, 10, 31)) == Decimal("40.00")


@pytest.mark.parametrize(
    ("value", "as_of", "status", "goal"),
    [
        # One month in, 3 starts against a half-year target of 40: behind the 6.74 due so
        # far, in progress; never "Below target".
        (3, D(2024, 5, 31), Status.BEHIND_PRO_RATA, Decimal("6.74")),
        (7, D(2024, 5, 31), Status.ON_TRACK, Decimal("6.74")),
        (6.2, D(2024, 5, 31), Status.NEAR_PRO_RATA, Decimal("6.74")),  # within 10%
        # The last day and after: judged against the whole target.
        (3, D(2024, 10, 31), Status.RED, None),
        (40, D(2024, 11, 1), Status.GREEN, None),
    ],
)
def test_an_open_period_is_judged_pro_rata_and_in_progress(
    value: float, as_of: datetime.date, status: str, goal: Decimal | None
) -> None:
    judged = judge(STARTS, Figure(value), Decimal(40), HALF, as_of, tolerance=10)
    assert judged == (status, goal)


def test_a_figure_that_does_not_build_up_is_judged_whole_but_still_in_progress() -> None:
    """A caseload on a day is not a share of a half-year: its target is not pro-rated, but
    an open period still says in progress, not Below target."""
    caseload = BY_KEY["caseload"]
    assert caseload.builds_up is False
    assert BY_KEY["waiting_time"].builds_up is False
    assert judge(caseload, Figure(10), Decimal(25), HALF, D(2024, 5, 31), tolerance=10) == (
        Status.BEHIND_PRO_RATA,
        None,
    )
    assert "Below target" not in STATUS_WORDS[Status.BEHIND_PRO_RATA]
    assert STATUS_WORDS[Status.BEHIND_PRO_RATA].startswith("In progress")


@pytest.mark.django_db
def test_the_dashboard_of_an_open_half_year_says_in_progress_never_below_target(
    case: Referral, manager: User, service: Service
) -> None:
    """1 October 2026, day 154 of May to October 2026: one start against 5 (4.18 due so
    far)."""
    current = half_year(TODAY)
    services.target_set(
        actor=manager,
        service=service,
        measure_key="starts",
        period=current,
        kind=TargetKind.LONG_TERM,
        value=Decimal(5),
    )
    results = {r.measure.key: r for r in selectors.measures_for_period(service, current)}
    target = results["starts"].targets[0]
    assert (target.status, target.pro_rata, target.in_progress) == (
        Status.BEHIND_PRO_RATA,
        Decimal("4.18"),
        True,
    )
    client = Client()
    client.force_login(manager)
    page = client.get("/outcomes/", {"period": current.key}).content.decode()
    assert "In progress: behind the target so far" in page
    assert "pro-rata so far: 4.18" in page
    assert "Below target" not in page
    # The same target once the half-year is over.
    closed = selectors.measures_for_period(service, current, as_of=current.end)
    assert {r.measure.key: r for r in closed}["starts"].status == Status.RED


@pytest.mark.django_db
def test_the_commissioner_lands_on_the_last_closed_half_year(
    case: Referral, commissioner: User, manager: User
) -> None:
    client = Client()
    client.force_login(commissioner)
    response = client.get("/outcomes/")
    assert str(response.context["period"]) == "November 2025 to April 2026"
    page = response.content.decode()
    assert "See the half-year in progress" in page
    assert "?period=2026-05-01:2026-10-31" in page
    opened = client.get("/outcomes/", {"period": "2026-05-01:2026-10-31"})
    assert "See the last closed half-year" in opened.content.decode()
    # The manager, who runs the service day to day, lands on the one in progress.
    client.force_login(manager)
    assert str(client.get("/outcomes/").context["period"]) == "May to October 2026"
