"""The service's contract with its commissioner: terms, extension options, value per
contract year, co-funders, payments made and procurement milestones. Not personal data.

Contract years run from 1 May to 30 April (docs/measures.md, "Contract and spend").
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q


class Contract(models.Model):
    """The contract under which the provider runs the service (one per service)."""

    service = models.OneToOneField(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="contract",
        help_text="The service the contract pays for.",
    )
    provider = models.CharField(max_length=200, help_text="The organisation running the service.")
    commissioner = models.CharField(
        max_length=200, help_text="The commissioning body that buys the service."
    )
    reference = models.CharField(
        max_length=60, blank=True, help_text="The commissioner's reference for the decision."
    )
    start_date = models.DateField(help_text="The first day of the contract (of the pilot).")
    pilot_end_date = models.DateField(
        help_text="The last day of the initial (pilot) term, before any extension."
    )
    notes = models.TextField(blank=True, help_text="Anything else about the contract.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pilot_end_date__gte=models.F("start_date")),
                name="contract_pilot_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Contract of service {self.service_id}"


class ExtensionStatus(models.TextChoices):
    OPTION = "option", "Option, not decided"
    TAKEN = "taken", "Taken"
    NOT_TAKEN = "not_taken", "Not taken"


class Extension(models.Model):
    """An option to extend the contract for a further term."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="extensions",
        help_text="The contract it extends.",
    )
    start_date = models.DateField(help_text="The first day of the extension.")
    end_date = models.DateField(help_text="The last day of the extension.")
    status = models.CharField(
        max_length=16,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.OPTION,
        help_text="Whether the option was taken.",
    )
    decided_on = models.DateField(
        null=True, blank=True, help_text="When it was decided whether to take it."
    )

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="extension_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Extension {self.start_date} to {self.end_date}"


class AnnualValue(models.Model):
    """What the contract is worth in one contract year (1 May to 30 April)."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="annual_values",
        db_index=False,  # served by annual_value_one_per_year (contract, year_start)
        help_text="The contract.",
    )
    year_start = models.DateField(help_text="1 May that starts the contract year.")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="The value of that year, in pounds."
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the figure comes from (for example an estimate).",
    )

    class Meta:
        ordering = ["year_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year_start"], name="annual_value_one_per_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="annual_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Value of the year from {self.year_start}"

    @property
    def year_end(self) -> datetime.date:
        return self.year_start.replace(year=self.year_start.year + 1) - datetime.timedelta(days=1)


class CoFunder(models.Model):
    """A partner paying part of the contract: a share in percent, or an amount."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="co_funders", help_text="The contract."
    )
    name = models.CharField(max_length=200, help_text="The funding organisation.")
    share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Its share of the contract value, in percent (or give an amount).",
    )
    share_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The amount it pays, in pounds (or give a percentage).",
    )
    from_date = models.DateField(
        null=True, blank=True, help_text="From when it funds the contract (blank: from the start)."
    )
    note = models.CharField(max_length=200, blank=True, help_text="More about the arrangement.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) ^ Q(share_amount__isnull=True),
                name="co_funder_percent_or_amount",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    """A payment made to the provider under the contract."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,  # served by payment_contract_date (contract, paid_on)
        help_text="The contract.",
    )
    paid_on = models.DateField(help_text="When it was paid.")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="The amount paid, in pounds."
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="What it was for (for example a quarter in arrears)."
    )

    class Meta:
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["contract", "paid_on"], name="payment_contract_date")]

    def __str__(self) -> str:
        return f"Payment of {self.amount} on {self.paid_on}"


class Milestone(models.Model):
    """A step of the procurement or of mobilisation, planned and done."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="milestones", help_text="The contract."
    )
    name = models.CharField(max_length=200, help_text="What happens.")
    planned_on = models.DateField(
        null=True, blank=True, help_text="When it is planned (the first day of a planned week)."
    )
    planned_note = models.CharField(
        max_length=120,
        blank=True,
        help_text="How precise the plan is (for example 'week commencing', or '12 noon').",
    )
    actual_on = models.DateField(null=True, blank=True, help_text="When it actually happened.")

    class Meta:
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.name
