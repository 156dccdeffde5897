"""Forms for employers, their contacts and engagement log, and opportunities."""

from __future__ import annotations

from typing import Any

from django import forms

from pathways.accounts.models import Patch, User
from pathways.core.forms import DateField, Form
from pathways.employers import selectors
from pathways.employers.models import (
    Answer,
    DbsLevel,
    EmployerKind,
    EmployerSize,
    ExclusionPolicy,
    OpportunityKind,
)

TEXT = {"spellcheck": "false", "autocomplete": "off"}


def text(label: str, *, required: bool = True, hint: str = "", max_length: int = 160) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        max_length=max_length,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": f"Enter {label[0].lower() + label[1:]}"},
    )


def area(label: str, *, required: bool = True, hint: str = "", rows: int = 3) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {label[0].lower() + label[1:]}"},
    )


def radios(label: str, choices: Any, error: str, *, hint: str = "") -> Any:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=hint,
        widget=forms.RadioSelect,
        error_messages={"required": error},
    )


def model_choice(label: str, error: str, *, radio: bool = False, empty: str = "") -> Any:
    return forms.ModelChoiceField(
        label=label,
        queryset=User.objects.none(),
        widget=forms.RadioSelect if radio else forms.Select,
        empty_label=None if radio else (empty or "Choose one"),
        error_messages={"required": error},
    )


def checkboxes(label: str, *, hint: str = "Select all that apply.") -> Any:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=User.objects.none(),
        required=False,
        help_text=hint,
        widget=forms.CheckboxSelectMultiple,
    )


def set_querysets(form: forms.Form, **querysets: Any) -> None:
    """Fill the choice fields; patches are shown by name alone (the service is known)."""
    for name, queryset in querysets.items():
        field = form.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset
        if queryset.model is Patch:
            field.label_from_instance = lambda patch: patch.name  # type: ignore[method-assign,assignment]


class EmployerForm(Form):
    name = text("Name", hint="The name the organisation trades under.")
    kind = radios("Type of organisation", EmployerKind.choices, "Select the type of organisation")
    sector = model_choice("Main sector", "Select the main sector", empty="Choose a sector")
    patch = model_choice("Patch", "Select the patch", radio=True)
    address = area("Address", required=False)
    size = radios("Size", EmployerSize.choices, "Select the size of the organisation")
    employs_people_with_convictions = radios(
        "Does it already employ people with convictions?",
        Answer.choices,
        "Select whether it already employs people with convictions",
    )
    disclosure_practice = area(
        "Disclosure and DBS practice",
        required=False,
        hint="For example, asks about convictions only after an offer; basic DBS for site roles.",
    )
    owner = model_choice("Owning worker", "Select the owning worker", empty="Choose a worker")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_querysets(
            self,
            sector=selectors.sectors(),
            patch=selectors.patches_for(user),
            owner=selectors.owners_for(user),
        )


class ContactForm(Form):
    name = text("Name", max_length=120)
    role = text("Role", required=False, hint="For example, site manager", max_length=120)
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs=TEXT),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and "email" not in self.errors:
            self.add_error("phone", "Enter a phone number or an email address")
        return data


class EngagementForm(Form):
    on = DateField(label="Date", help_text="For example, 27 3 2026")
    what_happened = area("What happened", hint="For example, site visit to discuss placements.")
    next_step = area("Next step", required=False)
    next_step_by = DateField(
        label="Next step due by", required=False, help_text="For example, 10 4 2026"
    )


class OpportunityForm(Form):
    kind = radios("Type of opportunity", OpportunityKind.choices, "Select the type of opportunity")
    title = text("Title", hint="For example, groundworks labourer")
    sector = model_choice("Sector", "Select the sector", empty="Choose a sector")
    places_available = forms.IntegerField(
        label="Places available",
        min_value=1,
        max_value=500,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of places available",
            "invalid": "Places available must be a number, like 2",
            "min_value": "Places available must be 1 or more",
            "max_value": "Places available must be 500 or fewer",
        },
    )
    patch = model_choice("Patch", "Select the patch", radio=True)
    location = text("Location", hint="Town or site", max_length=200)
    start_date = DateField(label="Start date", required=False, help_text="Leave blank if flexible")
    closing_date = DateField(
        label="Closing date",
        required=False,
        help_text="The last day to put people forward. Leave blank if it is rolling.",
    )
    hours = text("Hours", required=False, hint="For example, 8am to 4pm, Monday to Friday")
    pay = text("Pay", required=False, hint="For example, £12.60 an hour")
    requirements = checkboxes("Essential requirements")
    dbs_level = radios("DBS check level", DbsLevel.choices, "Select the DBS check level")
    exclusion_policy = radios(
        "Offence exclusions", ExclusionPolicy.choices, "Select the offence exclusions"
    )
    excluded_categories = checkboxes(
        "Offence categories excluded", hint="Only when the employer excludes some categories."
    )
    exclusion_details = area(
        "Details of the exclusions", required=False, hint="Needed when 'Other' is excluded."
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_querysets(
            self,
            sector=selectors.sectors(),
            patch=selectors.patches_for(user),
            requirements=selectors.requirements(),
            excluded_categories=selectors.offence_categories(),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("exclusion_policy") == ExclusionPolicy.CATEGORIES:
            excluded = list(data.get("excluded_categories") or [])
            if not excluded:
                self.add_error(
                    "excluded_categories", "Select the offence categories the employer excludes"
                )
            elif (
                any(c.code == "other" for c in excluded)
                and not data.get("exclusion_details", "").strip()
            ):
                self.add_error("exclusion_details", "Enter details of the 'Other' exclusions")
        start, closing = data.get("start_date"), data.get("closing_date")
        if start and closing and closing > start:
            self.add_error("closing_date", "Closing date must be on or before the start date")
        return data


class ConfirmForm(Form):
    """A page whose only question is the button."""
