"""Forms for work profiles, putting people forward, and recording a placement's progress."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from pathways.accounts.models import Patch
from pathways.core.forms import DateField, Form
from pathways.employers import selectors as employer_selectors
from pathways.employers.forms import area, checkboxes, set_querysets
from pathways.referrals.forms import ReasonChoiceField
from pathways.referrals.models import Reason, RiskFlag


class WorkProfileForm(Form):
    sectors = checkboxes("Sectors the person wants to work in")
    holds = checkboxes("Cards, licences and qualifications the person holds")
    other_qualifications = area(
        "Other qualifications and experience", required=False, hint="In the person's words."
    )
    travel_patches = checkboxes(
        "Other patches the person can travel to for work",
        hint="Their own patch is always included. Select all that apply.",
    )
    offence_categories = checkboxes(
        "Offence categories",
        hint="Employers' offence exclusions are checked against these. Select all that apply.",
    )
    restrictions = forms.MultipleChoiceField(
        label="Work-relevant restrictions",
        required=False,
        choices=RiskFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the referral's risk flags. Select all that apply.",
    )
    restriction_notes = area("More about restrictions", required=False)

    def __init__(self, *args: Any, own_patch: Patch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_querysets(
            self,
            sectors=employer_selectors.sectors(),
            holds=employer_selectors.requirements(),
            offence_categories=employer_selectors.offence_categories(),
            travel_patches=Patch.objects.filter(service_id=own_patch.service_id)
            .exclude(pk=own_patch.pk)
            .order_by("name"),
        )


class PutForwardForm(Form):
    note = area(
        "Note",
        required=False,
        hint="For example, why the person was put forward or what the employer was told.",
    )


def _past(day: datetime.date | None, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(f"{label} must be today or in the past")


class DecisionForm(Form):
    accepted = forms.TypedChoiceField(
        label="What did the employer decide?",
        choices=[("yes", "Accepted the person"), ("no", "Did not accept the person")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the employer decided"},
    )
    on = DateField(label="Date of the decision", help_text="For example, 27 3 2026")
    note = area("What the employer said", required=False)

    def clean_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["on"]
        _past(day, "Date of the decision")
        return day


class DateForm(Form):
    on = DateField(label="Date", help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label

    def clean_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["on"]
        _past(day, str(self.fields["on"].label))
        return day


class EndEarlyForm(DateForm):
    def __init__(self, *args: Any, reasons: Sequence[Reason], **kwargs: Any) -> None:
        super().__init__(*args, label="Date it ended", **kwargs)
        self.fields["reason"] = ReasonChoiceField(
            reasons=list(reasons),
            label="Why did it end early?",
            error_messages={"required": "Select why it ended early"},
        )
        self.fields["note"] = forms.CharField(
            label="More detail",
            required=False,
            help_text="Required when the reason is 'Other'.",
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = data.get("reason")
        if reason is not None and reason.needs_note and not data.get("note", "").strip():
            self.add_error("note", "Enter more detail for this reason")
        return data


class SustainmentForm(Form):
    in_work = forms.TypedChoiceField(
        label="Is the person in work?",
        choices=[("yes", "Yes, in work"), ("no", "No, not in work")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person is in work"},
    )
    checked_on = DateField(label="Date checked", help_text="For example, 27 3 2026")
    note = area("How you checked, and what you found", required=False)

    def clean_checked_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["checked_on"]
        _past(day, "Date checked")
        return day
