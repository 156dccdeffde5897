"""The conviction form: one conviction or caution, up to two sentences."""

from __future__ import annotations

from typing import Any

from django import forms

from pathways.convictions.models import LengthUnit, SentenceType
from pathways.convictions.services import SentenceInput
from pathways.core.forms import DateField, Form, text_field
from pathways.employers.models import OffenceCategory
from pathways.rehabilitation.rules import CAUTION_TYPES

EXAMPLE = "For example, 27 3 2025"


def _type(label: str, required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choose the sentence or disposal"), *SentenceType.choices],
        required=required,
        error_messages={"required": "Select the sentence or disposal"},
    )


def _length(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=1200,
        help_text="Leave blank if it has none, or an end date is given below.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "The length must be a whole number",
            "min_value": "The length must be 1 or more",
            "max_value": "The length must be 1200 or less",
        },
    )


def _unit(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=LengthUnit.choices, initial=LengthUnit.MONTHS, required=False
    )


def _flag(label: str, hint: str = "") -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=hint)


class ConvictionForm(Form):
    convicted_on = DateField(
        label="Date of conviction or caution", help_text="The date of the court's decision."
    )
    offence = text_field("Offence", required=False, max_length=200)
    offence_category = forms.ModelChoiceField(
        label="Offence category",
        queryset=OffenceCategory.objects.filter(retired_at__isnull=True),
        required=False,
        empty_label="None of these",
        help_text="The category employers may exclude.",
    )
    specified_offence = _flag(
        "A specified (listed) offence",
        "On the DBS list of offences never filtered from standard and enhanced checks.",
    )
    type = _type("Sentence or disposal", required=True)
    length = _length("Length")
    length_unit = _unit("Length in")
    ends_on = DateField(
        label="Date it ends or ended",
        required=False,
        help_text="For an order or conditions: the end date. For compensation: the date paid.",
    )
    until_further_order = _flag("Until further order")
    schedule_18 = _flag(
        "For a Schedule 18 offence", "Serious violent, sexual or terrorism offence."
    )
    endorsement = _flag("Motoring endorsement on the licence")
    second_type = _type("Another sentence for the same conviction", required=False)
    second_length = _length("Its length")
    second_length_unit = _unit("Its length in")
    second_ends_on = DateField(label="Its end date", required=False, help_text=EXAMPLE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("second_type") == "":
            data["second_type"] = None
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        sentences = [
            SentenceInput(
                type=data["type"],
                length=data.get("length"),
                length_unit=data.get("length_unit") or LengthUnit.MONTHS,
                schedule_18=bool(data.get("schedule_18")),
                endorsement=bool(data.get("endorsement")),
                ends_on=data.get("ends_on"),
                until_further_order=bool(data.get("until_further_order")),
            )
        ]
        if data.get("second_type"):
            sentences.append(
                SentenceInput(
                    type=data["second_type"],
                    length=data.get("second_length"),
                    length_unit=data.get("second_length_unit") or LengthUnit.MONTHS,
                    ends_on=data.get("second_ends_on"),
                )
            )
        return {
            "convicted_on": data["convicted_on"],
            "offence": data.get("offence") or "",
            "offence_category": data.get("offence_category"),
            "specified_offence": bool(data.get("specified_offence")),
            "caution": data["type"] in CAUTION_TYPES,
            "sentences": sentences,
        }
