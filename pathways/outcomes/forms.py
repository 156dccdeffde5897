"""Forms for orders, proven offences and targets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from pathways.core.forms import DateField, Form, radios, text_area, text_field
from pathways.outcomes.measures import MEASURES, TargetUnit
from pathways.outcomes.models import OffenceGroup, ProvenBy, Termination
from pathways.referrals.models import OrderType

EXAMPLE = "For example, 27 3 2025"


class OrderForm(Form):
    order_type = radios("What kind of order or licence?", OrderType.choices, "Select the kind")
    start_date = DateField(label="Start date", help_text=EXAMPLE)
    expected_end_date = DateField(label="Expected end date", required=False, help_text=EXAMPLE)
    actual_end_date = DateField(
        label="Date it ended",
        required=False,
        help_text="Leave blank while the order is running.",
    )
    termination = forms.ChoiceField(
        label="How did it end?",
        choices=Termination.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Only if it has ended.",
    )
    note = text_area("Note", required=False, rows=3)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("actual_end_date") and not data.get("termination"):
            self.add_error("termination", "Select how the order ended")
        if data.get("termination") and not data.get("actual_end_date"):
            self.add_error("actual_end_date", "Enter the date the order ended")
        return data


class OrderEndForm(Form):
    actual_end_date = DateField(label="Date it ended", help_text=EXAMPLE)
    termination = radios("How did it end?", Termination.choices, "Select how the order ended")


class OffenceForm(Form):
    committed_on = DateField(label="Date the offence was committed", help_text=EXAMPLE)
    proven_on = DateField(label="Date it was proven", help_text="The conviction or caution date.")
    proven_by = radios("How was it proven?", ProvenBy.choices, "Select how it was proven")
    category = forms.ChoiceField(
        label="Offence group",
        choices=[("", "Choose the offence group"), *OffenceGroup.choices],
        error_messages={"required": "Select the offence group"},
    )
    disposal = text_field("Sentence or disposal", required=False, max_length=200)


class TargetsForm(Form):
    """Intermediate and long-term targets for every measure in one period."""

    tolerance = forms.IntegerField(
        label="Amber tolerance (per cent)",
        min_value=0,
        max_value=100,
        help_text="A figure this close to its target (on the wrong side) shows amber.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the tolerance",
            "invalid": "The tolerance must be a whole number",
            "min_value": "The tolerance must be 0 or more",
            "max_value": "The tolerance must be 100 or less",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Any, str, str]] = []
        for measure in MEASURES:
            names = []
            for kind, label in (("intermediate", "intermediate"), ("long_term", "long-term")):
                name = f"{measure.key}__{kind}"
                self.fields[name] = forms.DecimalField(
                    label=f"{measure.title}: {label} target"
                    + (" (per cent)" if measure.target_unit == TargetUnit.RATE else ""),
                    required=False,
                    min_value=Decimal(0),
                    max_digits=10,
                    decimal_places=1,
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}
                    ),
                    error_messages={
                        "invalid": f"The {label} target for {measure.name} must be a number",
                        "min_value": f"The {label} target for {measure.name} cannot be negative",
                        "max_decimal_places": f"The {label} target for {measure.name} can have "
                        "one decimal place",
                    },
                )
                names.append(name)
            self.rows.append((measure, names[0], names[1]))

    def targets(self) -> list[tuple[str, str, Decimal | None]]:
        """(measure key, kind, value) for every box; None where the box is blank."""
        return [
            (name.split("__")[0], name.split("__")[1], value)
            for name, value in self.cleaned_data.items()
            if "__" in name
        ]
