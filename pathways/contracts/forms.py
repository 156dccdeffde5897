"""Forms of the contract pages (GOV.UK renderer; dates as day, month and year)."""

from __future__ import annotations

from typing import Any

from django import forms

from pathways.contracts.models import (
    AnnualValue,
    CoFunder,
    Contract,
    Extension,
    ExtensionStatus,
    Milestone,
    Payment,
)
from pathways.core.forms import DateField, ModelForm

EXAMPLE = "For example, 1 5 2022"


def _date(label: str, *, required: bool = True, hint: str = EXAMPLE) -> DateField:
    return DateField(label=label, required=required, help_text=hint)


def _money(label: str, *, required: bool = True, hint: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=hint or "In pounds, for example 77500 or 19375.50",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={"required": f"Enter {label[0].lower() + label[1:]}"},
    )


class ContractForm(ModelForm):
    start_date = _date("Start of the contract")
    pilot_end_date = _date("Last day of the pilot", hint="For example, 30 4 2024")

    class Meta:
        model = Contract
        fields = ["provider", "commissioner", "reference", "start_date", "pilot_end_date", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("pilot_end_date")
        if start and end and end < start:
            self.add_error("pilot_end_date", "The end of the pilot must be after its start")
        return data


class ExtensionForm(ModelForm):
    start_date = _date("First day of the extension")
    end_date = _date("Last day of the extension", hint="For example, 30 4 2025")
    status = forms.ChoiceField(
        label="Was the option taken?",
        choices=ExtensionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the option was taken"},
    )
    decided_on = _date("When it was decided", required=False)

    class Meta:
        model = Extension
        fields = ["start_date", "end_date", "status", "decided_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", "The last day must be on or after the first day")
        return data


class AnnualValueForm(ModelForm):
    year_start = _date("Start of the contract year", hint="1 May, for example 1 5 2022")
    amount = _money("Value of the year")

    class Meta:
        model = AnnualValue
        fields = ["year_start", "amount", "note"]

    def clean_year_start(self) -> Any:
        day = self.cleaned_data["year_start"]
        if day and (day.month, day.day) != (5, 1):
            raise forms.ValidationError("A contract year starts on 1 May")
        return day


class CoFunderForm(ModelForm):
    share_percent = forms.DecimalField(
        label="Share in percent",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="For example, 25. Give a share or an amount, not both.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
    )
    share_amount = _money("Amount", required=False, hint="In pounds, if not a share")
    from_date = _date("Funds the contract from", required=False, hint="Leave blank: from the start")

    class Meta:
        model = CoFunder
        fields = ["name", "share_percent", "share_amount", "from_date", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("share_percent") is None) == (data.get("share_amount") is None):
            self.add_error("share_percent", "Enter either a share in percent or an amount")
        return data


class PaymentForm(ModelForm):
    paid_on = _date("Date paid")
    amount = _money("Amount paid")

    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "note"]


class MilestoneForm(ModelForm):
    planned_on = _date("Planned date", required=False)
    actual_on = _date("Date it happened", required=False)

    class Meta:
        model = Milestone
        fields = ["name", "planned_on", "planned_note", "actual_on"]
