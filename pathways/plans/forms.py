"""Forms for pathway plans and readings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from pathways.core.forms import DateField, Form, radios, text_area, text_field
from pathways.plans.models import (
    GoalArea,
    GoalStatus,
    Instrument,
    ReadingKind,
    ReviewReason,
    StepStatus,
)

EXAMPLE_DATE = "For example, 27 3 2027"


def _today_field(label: str) -> DateField:
    return DateField(label=label, help_text=EXAMPLE_DATE, initial=timezone.localdate)


class GoalForm(Form):
    title = text_field(
        "Goal",
        max_length=200,
        hint="A realistic goal, in the person's own words. For example, get my CSCS card.",
    )
    area = radios("What kind of goal is it?", GoalArea.choices, "Select what kind of goal it is")
    target_date = DateField(label="Target date", help_text=EXAMPLE_DATE)


class GoalCloseForm(Form):
    outcome = radios(
        "What happened to the goal?",
        [(GoalStatus.ACHIEVED, "Achieved"), (GoalStatus.WITHDRAWN, "Withdrawn")],
        "Select whether the goal was achieved or withdrawn",
    )
    on = _today_field("Date")
    reason = text_area(
        "Why was it withdrawn?", required=False, hint="Needed when the goal is withdrawn.", rows=3
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == GoalStatus.WITHDRAWN and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why the goal was withdrawn")
        return data


class StepForm(Form):
    description = text_field(
        "Step", max_length=300, hint="One thing to do next. For example, book the CSCS test."
    )


class StepUpdateForm(Form):
    reason = text_area(
        "Why is it no longer needed?",
        required=False,
        hint="Needed when the step is no longer needed.",
        rows=3,
    )

    def __init__(self, *args: Any, moves: tuple[StepStatus, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "status": radios(
                "What is the step's status now?",
                [(m.value, m.label) for m in moves],
                "Select the step's status",
            ),
            "on": _today_field("Date"),
            "reason": self.fields["reason"],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == StepStatus.NO_LONGER_NEEDED and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why the step is no longer needed")
        return data


class ReviewForm(Form):
    reviewed_on = _today_field("Date of the review")
    reason = radios("Why is the plan being reviewed?", ReviewReason.choices, "Select a reason")
    what_changed = text_area("What changed?", hint="Goals added, achieved or changed, and why.")
    next_review_due = DateField(label="Next review due", help_text=EXAMPLE_DATE)


class ReadingForm(Form):
    """A score for every area of the instrument the reading uses."""

    def __init__(
        self, *args: Any, instrument: Instrument, kinds: list[ReadingKind], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = radios(
            "Which reading is this?",
            [(k.value, k.label) for k in kinds],
            "Select which reading this is",
        )
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].value
        self.fields["taken_on"] = _today_field("Date of the reading")
        bands = "; ".join(f"{b.lowest} to {b.highest}: {b.label}" for b in instrument.bands.all())
        hint = f"A whole number from {instrument.scale_min} to {instrument.scale_max}."
        self.score_fields: list[tuple[str, int]] = []
        for area in instrument.areas.all():
            name = f"score_{area.pk}"
            what = f"the score for {area.name[0].lower()}{area.name[1:]}"
            self.fields[name] = forms.IntegerField(
                label=area.name,
                min_value=instrument.scale_min,
                max_value=instrument.scale_max,
                help_text=hint + (f" {bands}." if bands else ""),
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
                ),
                error_messages={
                    "required": f"Enter {what}",
                    "invalid": f"{what[0].upper()}{what[1:]} must be a whole number",
                    "min_value": f"{what[0].upper()}{what[1:]} must be "
                    f"{instrument.scale_min} or more",
                    "max_value": f"{what[0].upper()}{what[1:]} must be "
                    f"{instrument.scale_max} or less",
                },
            )
            self.score_fields.append((name, area.pk))
        self.fields["note"] = text_area("Note", required=False, rows=3)

    def scores(self) -> dict[int, int]:
        return {area_id: self.cleaned_data[name] for name, area_id in self.score_fields}
