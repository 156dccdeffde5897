"""A period no contract year covers says "no contract value recorded" and its costs "not
available", never GBP 0.00 beside real payments; a contract that has ended, or ends
within 90 days, is flagged on the contract page, the outcomes dashboard and the RR Board
report."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.contracts import services
from pathways.contracts.models import AnnualValue, Contract, Payment
from pathways.contracts.selectors import ENDING_WARNING_DAYS, contract_alert, contract_summary
from pathways.core.periods import half_year
from pathways.referrals.tests.factories import LONDON
from pathways.reports.board_sections import contract_section

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def contract(service: Service, manager: User) -> Contract:
    """1 May 2022 to 30 April 2024, one year's value recorded (2022-23), a payment in
    2023-24 and one after the term."""
    contract = services.contract_save(
        actor=manager,
        service=service,
        provider="Provider Ltd",
        commissioner="Commissioner's Office",
        reference="X-1",
        start_date=D(2022, 5, 1),
        pilot_end_date=D(2024, 4, 30),
        notes="",
    )
    services.contract_part_save(
        actor=manager,
        contract=contract,
        part=AnnualValue(),
        year_start=D(2022, 5, 1),
        amount=Decimal(73000),
        note="",
    )
    for day in (D(2023, 8, 15), D(2024, 8, 15)):
        services.contract_part_save(
            actor=manager, contract=contract, part=Payment(), paid_on=day, amount=Decimal(500)
        )
    return contract


def test_a_period_no_contract_year_covers_has_no_value_and_no_costs(
    service: Service, contract: Contract
) -> None:
    summary = contract_summary(service, D(2023, 5, 1), D(2023, 10, 31))
    assert summary is not None
    assert (summary.value, summary.value_recorded) == (None, False)
    assert summary.payments == Decimal(500)  # real payments, beside no value
    assert summary.days_without_value == 184
    assert summary.cost_per_participant is None
    section = contract_section(service, half_year(D(2023, 5, 1)))
    rows = {row[0].split(" (")[0]: row[1] for row in section["tables"][0]["rows"]}
    assert rows["Contract value for the half-year"] == "No contract value recorded"
    assert rows["Cost per participant started"] == "Not available"
    assert rows["Cost per job start"] == "Not available"
    assert "£0.00" not in str(section)
    assert any("no cost per participant" in p for p in section["paragraphs"])
    # A period a year does cover: a value, and "None started" where nobody started.
    covered = contract_summary(service, D(2022, 5, 1), D(2022, 10, 31))
    assert covered is not None and covered.value_recorded and covered.days_without_value == 0
    covered_section = contract_section(service, half_year(D(2022, 5, 1)))
    assert covered_section["tables"][0]["rows"][2][1] == "None started"


def test_the_contract_page_says_no_value_recorded_never_gbp_0(
    contract: Contract, manager: User
) -> None:
    client = Client()
    client.force_login(manager)
    with time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=LONDON)):
        page = client.get(
            "/contracts/",
            {
                "start-day": "1",
                "start-month": "5",
                "start-year": "2023",
                "end-day": "31",
                "end-month": "10",
                "end-year": "2023",
            },
        ).content.decode()
    assert "No contract value recorded" in page
    assert page.count("Not available") == 3
    assert "£0.00" not in page


@pytest.mark.parametrize(
    ("today", "flag"),
    [
        (D(2024, 1, 30), ""),  # 91 days before the last day
        (D(2024, 1, 31), "The contract ends on 30 April 2024, in 90 days."),
        (D(2024, 4, 29), "The contract ends on 30 April 2024, in 1 day."),
        (D(2024, 4, 30), "The contract ends on 30 April 2024, in 0 days."),
        (
            D(2024, 5, 1),
            "The contract ended on 30 April 2024: no contract covers the service after that day.",
        ),
    ],
)
def test_a_contract_ending_within_90_days_or_ended_is_flagged(
    today: datetime.date, flag: str
) -> None:
    assert ENDING_WARNING_DAYS == 90
    assert contract_alert(D(2024, 4, 30), today) == flag


def test_the_flag_shows_on_the_contract_page_the_dashboard_and_the_report(
    service: Service, contract: Contract, manager: User, commissioner: User
) -> None:
    client = Client()
    with time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=LONDON)):
        client.force_login(manager)
        contract_page = client.get("/contracts/").content.decode()
        client.force_login(commissioner)
        dashboard = client.get("/outcomes/").content.decode()
    flag = "The contract ends on 30 April 2024, in 60 days."
    assert flag in contract_page
    assert flag in dashboard
    # The report, as at the half-year's last day (31 October 2023: 182 days left, no flag;
    # the half-year to 30 April 2024: ends that day).
    assert not any(
        "Warning" in p for p in contract_section(service, half_year(D(2023, 5, 1)))["paragraphs"]
    )
    report = contract_section(service, half_year(D(2024, 4, 30)))
    assert report["paragraphs"][0] == "Warning: The contract ends on 30 April 2024, in 0 days."
