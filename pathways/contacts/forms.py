"""Forms for contacts, appointments and onward referrals."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from pathways.contacts.models import (
    Attendance,
    Mode,
    NotHappenedReason,
    OnwardOutcome,
    OnwardService,
)
from pathways.contacts.services import Outcome, When
from pathways.core.forms import DateField, Form, radios, text_area, text_field
from pathways.placements.models import Placement

EXAMPLE_DATE = "For example, 27 3 2027"
# Hours, then minutes after ":" or "." (optional with am or pm), then am or pm (optional).
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(?:([ap])\.?m\.?)?$", re.IGNORECASE)
TIME_HINT = "For example, 9:30am, 2pm or 14:00"
TIME_ERROR = "Enter a time like 9:30am, 2pm or 14:00"


def parse_time(text: str) -> datetime.time | None:
    """A time as people type it: 9:30, 09:30, 9.30, 9:30am, 2pm, 2 p.m., 14:00. None when it
    is not a time (25:00, 13pm, 9:75, or hours alone without am or pm)."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    half = (match[3] or "").lower()
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif match[2] is None or hour > 23:
        return None
    return datetime.time(hour, minute)


class TimeField(forms.CharField):
    """A time of day as people type it (``parse_time``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> datetime.time | None:
        text = super().clean(value)
        if not text:
            return None
        time = parse_time(text)
        if time is None:
            raise forms.ValidationError(TIME_ERROR)
        return time


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class WhenForm(Form):
    day = DateField(
        label="Date", help_text=EXAMPLE_DATE, error_messages={"required": "Enter the date"}
    )
    time = TimeField(
        label="Time",
        help_text=TIME_HINT,
        error_messages={"required": "Enter the time"},
    )
    mode = radios("How is it held?", Mode.choices, "Select how it is held")
    duration_minutes = forms.IntegerField(
        label="How long, in minutes",
        min_value=5,
        max_value=480,
        initial=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how long it is, in minutes",
            "invalid": "How long must be a whole number of minutes",
            "min_value": "How long must be 5 minutes or more",
            "max_value": "How long must be 480 minutes (8 hours) or less",
        },
    )
    location = text_field(
        "Where", required=False, max_length=200, hint="For example, Tamworth library"
    )
    placement = forms.ModelChoiceField(
        label="Is it at or about a placement?",
        help_text="Needed when it is held at the placement.",
        queryset=Placement.objects.none(),
        required=False,
        blank=True,
        empty_label="No, not about a placement",
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, placements: QuerySet[Placement] | None = None, **kwargs: Any
    ) -> None:
        """``placements``: the episode's own placements. With none, neither the question
        nor the mode "At the placement" is offered."""
        super().__init__(*args, **kwargs)
        if placements is not None and placements.exists():
            field = self.fields["placement"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = placements
            field.label_from_instance = _placement_label  # type: ignore[method-assign,assignment]
        else:
            del self.fields["placement"]
            mode = self.fields["mode"]
            assert isinstance(mode, forms.ChoiceField)
            mode.choices = [c for c in Mode.choices if c[0] != Mode.PLACEMENT]

    def _check_placement(self, data: dict[str, Any]) -> None:
        if data.get("mode") == Mode.PLACEMENT and not data.get("placement"):
            self.add_error("placement", "Select the placement the contact is at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_placement(data)
        return data

    def when(self) -> When:
        data = self.cleaned_data
        return When(
            starts_at=_at(data["day"], data["time"]),
            mode=data["mode"],
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            placement=data.get("placement"),
        )


def _placement_label(placement: Placement) -> str:
    opportunity = placement.opportunity
    return f"{opportunity.title}, {opportunity.employer.name} ({placement.status.label.lower()})"


class OutcomeForm(Form):
    happened = radios(
        "Did the session take place?",
        [("yes", "Yes"), ("no", "No")],
        "Select whether the session took place",
    )
    attended = radios(
        "Did the person attend?", Attendance.choices, "Select whether the person attended"
    )
    not_happened_reason = forms.ChoiceField(
        label="Why did it not take place?",
        help_text="Answer only if the session did not take place.",
        choices=NotHappenedReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    notes = text_area(
        "Notes", required=False, hint="What was discussed and agreed; what happens next.", rows=5
    )
    tell_referrer = forms.BooleanField(
        label="Tell the referrer: this is a concern they should know about",
        required=False,
        help_text="The notes will show on the referrer's view of this person.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        happened = data.get("happened")
        if happened == "no" and not data.get("not_happened_reason"):
            self.add_error("not_happened_reason", "Select why the session did not take place")
        if happened == "yes" and data.get("attended") == Attendance.NO:
            self.add_error(
                "attended",
                "If the person did not attend, the session did not take place: select No above",
            )
        if happened == "yes":
            data["not_happened_reason"] = ""
        return data

    def outcome(self) -> Outcome:
        data = self.cleaned_data
        return Outcome(
            happened=data["happened"] == "yes",
            attended=data["attended"],
            not_happened_reason=data["not_happened_reason"],
            notes=data["notes"],
            tell_referrer=data["tell_referrer"],
        )


class RecordContactForm(WhenForm, OutcomeForm):
    """A contact that has taken place: when and how, and what came of it."""

    field_order = [*WhenForm.base_fields, *OutcomeForm.base_fields]

    def clean(self) -> dict[str, Any]:
        data = OutcomeForm.clean(self)
        self._check_placement(data)
        return data


class RescheduleForm(Form):
    day = DateField(
        label="New date", help_text=EXAMPLE_DATE, error_messages={"required": "Enter the new date"}
    )
    time = TimeField(
        label="New time",
        help_text=TIME_HINT,
        error_messages={"required": "Enter the new time"},
    )
    reason = text_area("Why is it being moved?", rows=3)

    def starts_at(self) -> datetime.datetime:
        return _at(self.cleaned_data["day"], self.cleaned_data["time"])


class OnwardReferralForm(Form):
    kind = radios("What kind of support?", OnwardService.choices, "Select the kind of support")
    organisation = text_field(
        "Referred to", max_length=200, hint="The organisation or team, for example Citizens Advice"
    )
    referred_on = DateField(
        label="Date of the referral", help_text=EXAMPLE_DATE, initial=timezone.localdate
    )
    note = text_area("Note", required=False, rows=3)


class OnwardOutcomeForm(Form):
    outcome = radios("What came of it?", OnwardOutcome.choices, "Select what came of it")
    on = DateField(label="Date", help_text=EXAMPLE_DATE, initial=timezone.localdate)
    note = text_area("Note", required=False, rows=3)


class AsAtForm(Form):
    """The day figures are counted as at (GET: a date is not personal)."""

    as_at = DateField(label="As at", help_text="For example, 31 3 2026")
