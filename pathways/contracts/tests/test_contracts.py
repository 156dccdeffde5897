"""The contract: who may see and change it, and its value and cost per outcome counted by
hand across the period boundaries (30 April / 1 May, 31 October / 1 November)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from pathways.accounts.models import Service, User
from pathways.contracts import services
from pathways.contracts.models import (
    AnnualValue,
    CoFunder,
    Contract,
    Extension,
    ExtensionStatus,
    Payment,
)
from pathways.contracts.selectors import contract_summary
from pathways.core.errors import NotPermitted, RuleBroken
from pathways.core.models import AuditEvent

D = datetime.date


@pytest.fixture
def contract(service: Service, manager: User) -> Contract:
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
    for year, amount in ((2022, "73000"), (2023, "73200"), (2024, "36500")):
        services.contract_part_save(
            actor=manager,
            contract=contract,
            part=AnnualValue(),
            year_start=D(year, 5, 1),
            amount=Decimal(amount),
            note="",
        )
    services.contract_part_save(
        actor=manager,
        contract=contract,
        part=Extension(),
        start_date=D(2024, 5, 1),
        end_date=D(2025, 4, 30),
        status=ExtensionStatus.OPTION,
        decided_on=None,
    )
    for day, amount in ((D(2023, 4, 30), "100"), (D(2023, 5, 1), "200"), (D(2023, 10, 31), "400")):
        services.contract_part_save(
            actor=manager, contract=contract, part=Payment(), paid_on=day, amount=Decimal(amount)
        )
    services.contract_part_save(
        actor=manager, contract=contract, part=Payment(), paid_on=D(2023, 11, 1), amount=1
    )
    return contract


def test_the_value_of_a_period_is_shared_by_days(service: Service, contract: Contract) -> None:
    # 1 May to 31 October 2023: 184 of the 366 days of the year 2023-24 (29 February 2024).
    summary = contract_summary(service, D(2023, 5, 1), D(2023, 10, 31))
    assert summary is not None
    assert summary.value == (Decimal(73200) * 184 / 366).quantize(Decimal("0.01"))
    assert summary.payments == Decimal(600) and summary.payments_count == 2
    # 1 November 2022 to 30 April 2023: 181 of the 365 days of 2022-23.
    before = contract_summary(service, D(2022, 11, 1), D(2023, 4, 30))
    assert before is not None and before.value == Decimal("36200.00")
    assert before.payments == Decimal(100)


def test_no_value_beyond_the_term_until_an_extension_is_taken(
    service: Service, contract: Contract, manager: User
) -> None:
    summary = contract_summary(service, D(2024, 5, 1), D(2025, 4, 30))
    # No contract year covers it: no value recorded (not GBP 0.00; test_contract_cover).
    assert summary is not None and summary.value is None and not summary.value_recorded
    assert summary.term_end == D(2024, 4, 30)
    extension = contract.extensions.get()
    services.contract_part_save(
        actor=manager, contract=contract, part=extension, status=ExtensionStatus.TAKEN
    )
    summary = contract_summary(service, D(2024, 5, 1), D(2025, 4, 30))
    assert summary is not None and summary.value == Decimal(36500)
    assert summary.term_end == D(2025, 4, 30)


@pytest.mark.usefixtures("world")
def test_cost_per_outcome_by_hand(service: Service, contract: Contract) -> None:
    """In the equality world (reports/tests/conftest.py) support started for B (3 May
    2025) and E (16 June 2025); placements started 1 June (B, a job) and 1 July (E)."""
    AnnualValue.objects.create(contract=contract, year_start=D(2025, 5, 1), amount=Decimal(365))
    Extension.objects.update(status=ExtensionStatus.TAKEN, end_date=D(2026, 4, 30))
    summary = contract_summary(service, D(2025, 5, 1), D(2025, 10, 31))
    assert summary is not None
    assert summary.value == Decimal(184)
    assert (summary.participants_started, summary.placements_started, summary.job_starts) == (
        2,
        2,
        1,
    )
    assert summary.cost_per_participant == Decimal(92)
    assert summary.cost_per_placement == Decimal(92)
    assert summary.cost_per_job == Decimal(184)
    later = contract_summary(service, D(2025, 11, 1), D(2026, 4, 30))
    assert later is not None and later.cost_per_job is None


def test_changes_are_audited_and_only_the_manager_makes_them(
    contract: Contract, personas: dict[str, User]
) -> None:
    assert AuditEvent.objects.filter(action="payment.created").count() == 4
    for persona in ("commissioner", "worker_north", "referrer", "admin", "outsider"):
        with pytest.raises(NotPermitted):
            services.contract_part_save(
                actor=personas[persona],
                contract=contract,
                part=Payment(),
                paid_on=D(2024, 1, 1),
                amount=Decimal(1),
            )


def test_a_co_funder_has_a_share_or_an_amount(contract: Contract, manager: User) -> None:
    with pytest.raises(RuleBroken):
        services.contract_part_save(
            actor=manager,
            contract=contract,
            part=CoFunder(),
            name="Both",
            share_percent=Decimal(10),
            share_amount=Decimal(10),
        )


# Pages


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("persona", ["manager", "commissioner"])
def test_the_contract_page(
    client: Client, personas: dict[str, User], persona: str, django_assert_max_num_queries
) -> None:
    client.force_login(personas[persona])
    with django_assert_max_num_queries(14):
        response = client.get(
            "/contracts/?start-day=1&start-month=5&start-year=2023"
            "&end-day=31&end-month=10&end-year=2023"
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Provider Ltd" in body and "£36,800.00" in body
    assert ("Record a payment" in body) is (persona == "manager")


@pytest.mark.usefixtures("contract")
@pytest.mark.parametrize("persona", ["referrer", "worker_north", "admin"])
def test_other_roles_get_not_found(client: Client, personas: dict[str, User], persona: str) -> None:
    client.force_login(personas[persona])
    for url in ("/contracts/", "/contracts/edit/", "/contracts/payments/new/"):
        assert client.get(url).status_code == 404


@pytest.mark.usefixtures("contract")
def test_the_commissioner_may_not_change_anything(client: Client, commissioner: User) -> None:
    client.force_login(commissioner)
    payment = Payment.objects.first()
    assert payment is not None
    for url in (
        "/contracts/edit/",
        "/contracts/payments/new/",
        f"/contracts/payments/{payment.pk}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"amount": "1"}).status_code == 404


def test_the_manager_records_the_contract_and_a_payment_through_the_pages(
    client: Client, manager: User, service: Service
) -> None:
    client.force_login(manager)
    no_contract_yet = client.get("/contracts/payments/new/")
    assert no_contract_yet.status_code == 302
    assert no_contract_yet["Location"] == "/contracts/edit/"  # record the contract first
    response = client.post(
        "/contracts/edit/",
        {
            "provider": "Provider Ltd",
            "commissioner": "Office",
            "reference": "",
            "start_date-day": "1",
            "start_date-month": "5",
            "start_date-year": "2022",
            "pilot_end_date-day": "30",
            "pilot_end_date-month": "4",
            "pilot_end_date-year": "2024",
            "notes": "",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/contracts/payments/new/",
        {"paid_on-day": "15", "paid_on-month": "8", "paid_on-year": "2022", "amount": "19375.00"},
    )
    assert response.status_code == 302
    assert Payment.objects.get().contract.service == service
    response = client.post(
        "/contracts/values/new/",
        {"year_start-day": "2", "year_start-month": "5", "year_start-year": "2022", "amount": "1"},
    )
    assert "A contract year starts on 1 May" in response.content.decode()


def test_a_part_of_another_service_contract_is_not_found(
    client: Client, contract: Contract, outsider: User
) -> None:
    assert outsider.service is not None
    other = services.contract_save(
        actor=outsider,
        service=outsider.service,
        provider="Other",
        commissioner="Other",
        reference="",
        start_date=D(2022, 5, 1),
        pilot_end_date=D(2024, 4, 30),
        notes="",
    )
    assert other.pk != contract.pk
    payment = Payment.objects.filter(contract=contract).first()
    assert payment is not None
    client.force_login(outsider)
    assert client.get(f"/contracts/payments/{payment.pk}/").status_code == 404
