"""Reads of the contract, and what it costs per outcome (docs/measures.md, "Contract and
spend"). The counts are database aggregates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from pathways.accounts.models import Service
from pathways.contracts.models import (
    AnnualValue,
    CoFunder,
    Contract,
    Extension,
    ExtensionStatus,
    Milestone,
    Payment,
)
from pathways.placements.selectors import start_counts

PENNY = Decimal("0.01")
# A contract that ends within this many days is flagged (the contract page, the outcomes
# dashboard, the RR Board report), as is one that has ended.
ENDING_WARNING_DAYS = 90


def contract_of(service: Service) -> Contract | None:
    return Contract.objects.filter(service=service).first()


def _days(start: datetime.date, end: datetime.date) -> int:
    return max((end - start).days + 1, 0)


@dataclass(frozen=True)
class YearShare:
    """One contract year's part of the value of a period."""

    year: AnnualValue
    days_counted: int
    days_in_year: int
    value: Decimal


@dataclass(frozen=True)
class ContractSummary:
    contract: Contract
    start: datetime.date
    end: datetime.date
    term_end: datetime.date
    extensions: list[Extension]
    annual_values: list[AnnualValue]
    co_funders: list[CoFunder]
    milestones: list[Milestone]
    shares: list[YearShare]
    value: Decimal | None  # None: no contract year with a value covers any day of the period
    payments: Decimal
    payments_count: int
    participants_started: int
    placements_started: int
    job_starts: int

    @property
    def total_value(self) -> Decimal:
        """The value of every contract year recorded."""
        return sum((v.amount for v in self.annual_values), Decimal(0))

    @property
    def value_recorded(self) -> bool:
        """A contract year with a value covers at least one day of the period (else the
        value is "no contract value recorded" and every cost "not available", never
        GBP 0.00)."""
        return self.value is not None

    @property
    def days_without_value(self) -> int:
        """Days of the period that no contract year with a value (within the term)
        covers."""
        return _days(self.start, self.end) - sum(share.days_counted for share in self.shares)

    def _per(self, count: int) -> Decimal | None:
        if self.value is None or not count:
            return None
        return (self.value / count).quantize(PENNY, ROUND_HALF_UP)

    def alert(self, today: datetime.date) -> str:
        return contract_alert(self.term_end, today)

    @property
    def cost_per_participant(self) -> Decimal | None:
        return self._per(self.participants_started)

    @property
    def cost_per_placement(self) -> Decimal | None:
        return self._per(self.placements_started)

    @property
    def cost_per_job(self) -> Decimal | None:
        return self._per(self.job_starts)


def contract_alert(last_day: datetime.date, today: datetime.date) -> str:
    """What the pages and the RR Board report say of a contract that has ended, or that ends
    within ``ENDING_WARNING_DAYS`` of ``today``; "" otherwise."""
    if last_day < today:
        return (
            f"The contract ended on {last_day:%-d %B %Y}: no contract covers the service "
            "after that day."
        )
    left = (last_day - today).days
    if left <= ENDING_WARNING_DAYS:
        days = "day" if left == 1 else "days"
        return f"The contract ends on {last_day:%-d %B %Y}, in {left} {days}."
    return ""


def alert_for(service: Service, today: datetime.date) -> str:
    """The ending flag of the service's contract (two queries), "" if none or not due."""
    contract = contract_of(service)
    if contract is None:
        return ""
    return contract_alert(term_end(contract, list(contract.extensions.all())), today)


def term_end(contract: Contract, extensions: list[Extension]) -> datetime.date:
    """The last day of the contract: the end of the last extension taken, else of the
    pilot."""
    taken = [e.end_date for e in extensions if e.status == ExtensionStatus.TAKEN]
    return max([contract.pilot_end_date, *taken])


def contract_summary(
    service: Service,
    start: datetime.date,
    end: datetime.date,
    *,
    starts: dict[str, int] | None = None,
) -> ContractSummary | None:
    """The contract of the service and its value, spend and cost per outcome for the period
    (local dates, inclusive); None when no contract is recorded. ``starts`` gives the
    counts of ``start_counts`` when they are already known (frozen in a period snapshot)."""
    contract = contract_of(service)
    if contract is None:
        return None
    extensions = list(contract.extensions.all())
    values = list(contract.annual_values.all())
    last_day = term_end(contract, extensions)
    shares = []
    for year in values:
        first = max(year.year_start, start, contract.start_date)
        last = min(year.year_end, end, last_day)
        counted = _days(first, last)
        in_year = _days(year.year_start, year.year_end)
        if counted:
            shares.append(YearShare(year, counted, in_year, year.amount * counted / in_year))
    value = (
        sum((s.value for s in shares), Decimal(0)).quantize(PENNY, ROUND_HALF_UP)
        if shares
        else None
    )
    paid = Payment.objects.filter(
        contract=contract, paid_on__gte=start, paid_on__lte=end
    ).aggregate(total=Sum("amount"), n=Count("id"))
    counts = starts if starts is not None else start_counts(service, start, end)
    return ContractSummary(
        contract=contract,
        start=start,
        end=end,
        term_end=last_day,
        extensions=extensions,
        annual_values=values,
        co_funders=list(contract.co_funders.all()),
        milestones=list(contract.milestones.all()),
        shares=shares,
        value=value,
        payments=paid["total"] or Decimal(0),
        payments_count=paid["n"],
        participants_started=counts["participants_started"],
        placements_started=counts["placements_started"],
        job_starts=counts["job_starts"],
    )


def payments_of(contract: Contract) -> list[Payment]:
    return list(contract.payments.all())
