"""Forms for referrals: what the user types, checked with GOV.UK-style messages."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from pathways.accounts.models import Area, Service, User
from pathways.core.forms import TEXT, DateField, Form
from pathways.core.forms import radios as _radios
from pathways.core.forms import text_area as _area
from pathways.core.forms import text_field as _text
from pathways.core.reference import in_use
from pathways.participants import identifiers
from pathways.participants.models import Gender, Location
from pathways.referrals.eligibility import MINIMUM_AGE, age_on, order_ended
from pathways.referrals.models import Cohort, OrderType, Reason, RiskFlag, Source
from pathways.referrals.services import DETAIL_FIELDS, PERSON_FIELDS

# The questions a ROTL referral must answer, and what it is told when one is missing.
ROTL_REQUIRED = {
    "prison_name": "Enter the prison for a ROTL referral",
    "prison_number": "Enter the prison number for a ROTL referral",
    "expected_release_date": "Enter the expected release date for a ROTL referral",
}
ROTL_HINT = "For ROTL referrals"


class ReferralForm(Form):
    """Everything a practitioner has at hand when referring a person."""

    first_name = _text("First name", max_length=80)
    last_name = _text("Last name", max_length=80)
    date_of_birth = DateField(label="Date of birth", help_text="For example, 27 3 1998")
    gender = _radios("Gender", Gender.choices, "Select the person's gender")
    crn = _text(
        "CRN",
        required=False,
        hint="Case reference number: one letter and six digits, for example X123456. "
        "Needed for Probation referrals.",
        width="10",
    )
    pnc_id = _text("PNC ID", required=False, hint="For example, 2001/0123456Z", width="20")
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "class": "govuk-input--width-20"}
        ),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs=TEXT),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    address = _area("Address", required=False, rows=3)
    area = forms.ModelChoiceField(
        label="Local authority area where the person lives",
        queryset=Area.objects.none(),
        empty_label="Choose an area",
        help_text="This decides which patch's support worker takes the case.",
        error_messages={"required": "Select the area where the person lives"},
    )
    location = _radios(
        "Where is the person now?", Location.choices, "Select where the person is now"
    )

    source = _radios("Who is referring?", Source.choices, "Select who is referring")
    cohort = _radios(
        "Which group is the person in?", Cohort.choices, "Select the group the person is in"
    )
    order_type = forms.ChoiceField(
        label="Order or licence type",
        choices=[("", "Choose a type"), *OrderType.choices],
        error_messages={"required": "Select the order or licence type"},
    )
    order_end_date = DateField(
        label="Order or licence end date", required=False, help_text="For example, 31 8 2027"
    )
    order_ended_reason = _area(
        "Why should the person still be referred?",
        required=False,
        hint="The order or licence end date has passed, so the person is no longer on "
        "probation. The service manager will see this.",
        rows=3,
    )
    prison_name = _text("Prison", required=False, hint=ROTL_HINT, max_length=120)
    prison_number = _text(
        "Prison number", required=False, hint=f"{ROTL_HINT}. For example, A1234BC", width="10"
    )
    expected_release_date = DateField(
        label="Expected release date",
        required=False,
        help_text=f"{ROTL_HINT}. For example, 1 6 2027",
    )
    reason = _area(
        "Reason for referral", hint="What you hope the service will help the person with."
    )
    ete_needs = _area(
        "Education, training and employment needs",
        hint="For example, qualifications, work history, barriers to work, OASys ETE need.",
    )
    risk_information = _area(
        "Risk information relevant to work",
        required=False,
        hint="Anything an employer or placement would need to know to keep people safe.",
    )
    risk_flags = forms.MultipleChoiceField(
        label="Work-relevant risk flags",
        required=False,
        choices=RiskFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    accessibility_needs = _area(
        "Accessibility needs",
        required=False,
        hint="For example, reading support, mobility, health conditions.",
    )
    interpreter_language = _text(
        "Interpreter language",
        required=False,
        hint="Leave blank if the person does not need an interpreter.",
        width="20",
        max_length=60,
    )
    consent_given = forms.BooleanField(
        label="The person has agreed to be referred to this service",
        error_messages={"required": "Confirm the person has agreed to be referred"},
    )
    consent_date = DateField(label="Date consent was given", help_text="For example, 3 11 2026")

    SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("About the person", ("first_name", "last_name", "date_of_birth", "gender")),
        ("Identifiers", ("crn", "pnc_id")),
        ("Contact details", ("phone", "email", "address", "area", "location")),
        (
            "Referral",
            ("source", "cohort", "order_type", "order_end_date", "order_ended_reason"),
        ),
        (
            "Release on temporary licence (ROTL)",
            ("prison_name", "prison_number", "expected_release_date"),
        ),
        (
            "Needs and risks",
            (
                "reason",
                "ete_needs",
                "risk_information",
                "risk_flags",
                "accessibility_needs",
                "interpreter_language",
            ),
        ),
        ("Consent", ("consent_given", "consent_date")),
    )

    def __init__(
        self, *args: Any, service: Service, on: datetime.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The day the referral is made (a sent referral's, when amending it).
        self.on = on or timezone.localdate()
        # The question why a person whose order ended is referred is asked only then.
        self.asks_why_order_ended = bool(self.initial.get("order_ended_reason"))
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = (
            Area.objects.filter(patch__service=service)
            .filter(in_use(), in_use("patch__"))
            .order_by("name")
        )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if self._asked(name)])
            for title, names in self.SECTIONS
        ]

    def answers(self) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
        """A valid form's answers as the check-your-answers page lists them: each section's
        (question, answer as shown, the id of the question's input, the field's name)."""
        rotl = self.cleaned_data.get("cohort") == Cohort.ROTL
        return [
            (
                title,
                [
                    (
                        str(field.label),
                        _shown(field.field, self.cleaned_data.get(field.name)),
                        str(field.id_for_label or field.auto_id),
                        field.name,
                    )
                    for field in fields
                ],
            )
            for title, fields in self.sections()
            if fields and (rotl or "expected_release_date" not in {f.name for f in fields})
        ]

    def _asked(self, name: str) -> bool:
        return name != "order_ended_reason" or self.asks_why_order_ended

    def _identifier(self, name: str, check: Any, message: str) -> str:
        value = identifiers.normalise(self.cleaned_data.get(name, ""))
        if value and not check(value):
            raise forms.ValidationError(message)
        return value

    def clean_crn(self) -> str:
        return self._identifier(
            "crn", identifiers.is_crn, "Enter a CRN in the correct format, like X123456"
        )

    def clean_pnc_id(self) -> str:
        return self._identifier(
            "pnc_id",
            identifiers.is_pnc_id,
            "Enter a PNC ID in the correct format, like 2001/0123456Z",
        )

    def clean_prison_number(self) -> str:
        return self._identifier(
            "prison_number",
            identifiers.is_prison_number,
            "Enter a prison number in the correct format, like A1234BC",
        )

    def clean_date_of_birth(self) -> datetime.date:
        dob: datetime.date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob >= today:
            raise forms.ValidationError("Date of birth must be in the past")
        if age_on(dob, today) < MINIMUM_AGE:
            raise forms.ValidationError(
                f"The person must be aged {MINIMUM_AGE} or over to be referred"
            )
        return dob

    def clean_consent_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["consent_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("Date consent was given must be today or in the past")
        return day

    def clean_expected_release_date(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get("expected_release_date")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Expected release date must be today or in the future")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cohort") == Cohort.ROTL:
            for name, message in ROTL_REQUIRED.items():
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        if (
            data.get("source") == Source.PROBATION
            and not data.get("crn")
            and "crn" not in self.errors
        ):
            self.add_error("crn", "Enter the CRN for a Probation referral")
        if order_ended(data.get("order_end_date"), self.on):
            self.asks_why_order_ended = True
            self.fields["order_ended_reason"].required = True  # shown without "(optional)"
            if not data.get("order_ended_reason", "").strip():
                self.add_error(
                    "order_ended_reason",
                    "The order or licence end date has passed. Enter why the person should "
                    "still be referred, or correct the end date",
                )
        elif "order_ended_reason" in data and not self.asks_why_order_ended:
            data["order_ended_reason"] = ""  # not asked: nothing kept
        return data


@dataclass(frozen=True)
class Step:
    """One question page of a new referral (GOV.UK's "question pages" before "check your
    answers"): its address, heading and questions, and whether it is asked given the
    answers so far."""

    slug: str
    title: str
    fields: tuple[str, ...]
    asked_when: Callable[[Mapping[str, Any]], bool] = lambda _answers: True

    def owns(self, key: str) -> bool:
        """A posted key is one of this page's answers (a date's day, month and year too)."""
        return key.split("-", 1)[0] in self.fields


def is_rotl(answers: Mapping[str, Any]) -> bool:
    cohort = answers.get("cohort")
    if isinstance(cohort, list):  # the session keeps each answer as a list of values
        cohort = cohort[0] if cohort else ""
    return cohort == Cohort.ROTL


# The referral's question pages, in order. A question that depends on another is on the
# same page (the CRN on who refers, why the person is still referred on the order's end
# date); the ROTL page is asked only for that group.
STEPS: tuple[Step, ...] = (
    Step("person", "About the person", ("first_name", "last_name", "date_of_birth", "gender")),
    Step("contact", "Contact details", ("phone", "email", "address", "area", "location")),
    Step(
        "referral",
        "The referral",
        (
            "source",
            "crn",
            "pnc_id",
            "cohort",
            "order_type",
            "order_end_date",
            "order_ended_reason",
        ),
    ),
    Step(
        "rotl",
        "Release on temporary licence (ROTL)",
        ("prison_name", "prison_number", "expected_release_date"),
        asked_when=is_rotl,
    ),
    Step(
        "needs",
        "Needs and risks",
        (
            "reason",
            "ete_needs",
            "risk_information",
            "risk_flags",
            "accessibility_needs",
            "interpreter_language",
        ),
    ),
    Step("consent", "Consent", ("consent_given", "consent_date")),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}


class ReferralStepForm(ReferralForm):
    """One question page. The answers so far are checked together (a question may depend
    on an earlier one: the ROTL page on the group), and the page shows and reports only
    its own questions. Shown again with the answers kept, it reports only those no longer
    valid (kept answers were valid when given)."""

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        if step.asked_when is is_rotl:
            # Asked only of a ROTL referral, so each question is needed here: no
            # "(optional)", no "For ROTL referrals", and the message the form gives.
            for name, message in ROTL_REQUIRED.items():
                field = self.fields[name]
                field.required = True
                field.error_messages["required"] = message
                field.help_text = field.help_text.removeprefix(ROTL_HINT).lstrip(". ")

    def full_clean(self) -> None:
        super().full_clean()
        for name in list(self.fields):
            if not self.step.owns(name):
                del self.fields[name]
                self.errors.pop(name, None)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (
                "",
                [
                    self[name]
                    for name in self.step.fields
                    if name in self.fields and self._asked(name)
                ],
            )
        ]


def _shown(field: forms.Field, value: Any) -> str:
    """An answer as words: a choice by its label, a date in full, a blank as "Not given"."""
    if value is None or value == "" or value == []:
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): str(label) for key, label in list(field.choices)}  # type: ignore[arg-type]
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    return str(value)


def split_referral_data(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A valid referral form's data, split into the person's and the referral's fields."""
    person = {name: data[name] for name in PERSON_FIELDS}
    person["crn"] = person["crn"] or None
    return person, {name: data[name] for name in DETAIL_FIELDS}


class AmendReferralForm(ReferralForm):
    amend_reason = _area(
        "Why are you amending the referral?",
        hint="This is kept in the change log.",
        rows=3,
        error="Enter why you are amending the referral",
    )

    SECTIONS = (*ReferralForm.SECTIONS, ("Reason for the change", ("amend_reason",)))


def referral_initial(referral: Any) -> dict[str, Any]:
    """A referral's current values, as the referral form's initial data."""
    initial = {name: getattr(referral.participant, name) for name in PERSON_FIELDS}
    initial.update({name: getattr(referral, name) for name in DETAIL_FIELDS})
    initial["area"] = referral.participant.area_id
    initial["crn"] = initial["crn"] or ""
    return initial


# The answer that holds the referral for the manager: it names no record.
HOLD_CHOICE = "manager"


class DuplicateChoiceForm(Form):
    duplicate_choice = forms.ChoiceField(
        label="Is this one of the people already known to the service?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this is a person already known to the service"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["duplicate_choice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        # Nothing to choose but sending it to the manager: the page asks no question.
        self.hold_only = [value for value, _label in choices] == [HOLD_CHOICE]
        if any(value == HOLD_CHOICE for value, _label in choices):
            field.help_text = (
                "The details match a record the service already holds. If it is none of the "
                "people above, the service manager will check the referral before it is decided."
            )
        elif not any(value == "new" for value, _label in choices):
            field.help_text = (
                "A CRN belongs to one person. If the CRN you typed is wrong, correct it below."
            )


# The manager's answer that keeps the held referral's person as a separate new person.
SEPARATE_CHOICE = "separate"


class ResolveDuplicateForm(Form):
    """The manager's decision on a referral held as a possible duplicate."""

    decision = forms.ChoiceField(
        label="Is this the same person as a record the service already holds?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to join or keep a separate person"},
    )
    reason = _area(
        "Why?",
        hint="For example, what you checked with the referrer or probation. "
        "This is kept with the referral and in the audit trail.",
        rows=3,
        error="Enter why you are joining or separating the person",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ProposedChangesForm(Form):
    """One accept-or-reject question per detail a referral proposes for a known person."""

    def __init__(self, *args: Any, fields: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in fields:
            self.fields[name] = _radios(
                label,
                [("accept", "Change the record to the proposed value"), ("reject", "Keep it")],
                f"Select whether to change the {label.lower()}",
            )


class ReasonChoiceField(forms.ChoiceField):
    """A reason from reference data, offered in its groups; cleans to the Reason row."""

    def __init__(self, *, reasons: list[Reason], **kwargs: Any) -> None:
        groups: dict[str, list[tuple[str, str]]] = {}
        for reason in reasons:
            groups.setdefault(reason.group, []).append((str(reason.pk), reason.label))
        self._by_pk = {str(reason.pk): reason for reason in reasons}
        super().__init__(choices=[("", "Choose a reason"), *groups.items()], **kwargs)

    def clean(self, value: Any) -> Reason | None:
        key = super().clean(value)
        return self._by_pk.get(key) if key else None


class AcceptForm(Form):
    eligibility_confirmed = forms.BooleanField(
        label="I have checked the person is eligible: aged 16 or over, in an eligible group, "
        "and referred by Probation, a Youth Offending Service or a prison",
        error_messages={"required": "Confirm you have checked the person is eligible"},
    )
    override_reason = forms.CharField(
        label="Reason for giving a place over capacity",
        required=False,
        help_text="The service is full. Leave this blank to add the person to the waiting list.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, service_full: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not service_full:
            del self.fields["override_reason"]


class DeclineForm(Form):
    def __init__(self, *args: Any, reasons: list[Reason], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = ReasonChoiceField(
            reasons=reasons,
            label="Why is the referral declined?",
            error_messages={"required": "Select why the referral is declined"},
        )
        self.fields["note"] = forms.CharField(
            label="More detail",
            required=False,
            help_text="Required when the reason is 'Other'. The referrer will see this.",
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = data.get("reason")
        if reason is not None and reason.needs_note and not data.get("note", "").strip():
            self.add_error("note", "Enter more detail for this reason")
        return data


class EndForm(DeclineForm):
    def __init__(
        self, *args: Any, reasons: list[Reason], receiving_support: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, reasons=reasons, **kwargs)
        if receiving_support:
            self.fields["reason"].label = "Why is support ending?"
            self.fields["reason"].error_messages["required"] = "Select why support is ending"
        else:
            self.fields["reason"].label = "Why is the person leaving the waiting list?"
            self.fields["reason"].error_messages["required"] = (
                "Select why the person is leaving the waiting list"
            )
        self.fields["note"].help_text = "Required when the reason is 'Other'."
        if receiving_support:
            self.fields["closing_summary"] = _area(
                "Closing summary",
                hint="What the person achieved, what is still open, and where they go next.",
                rows=5,
            )


class AllocateForm(Form):
    worker = forms.ModelChoiceField(
        label="Support worker",
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Select a support worker"},
    )

    def __init__(self, *args: Any, workers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[w.pk for w in workers]).order_by("first_name")
