from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.template import Context, Template

from pathways.core.forms import DateField, GovUKFormRenderer

PAGE = Template(
    '{% include "govuk/forms/error_summary.html" with form=form %}'
    '<form method="post" novalidate>{{ form }}</form>'
)


class SampleForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label="Email address", required=False, help_text="For updates")
    start = DateField(label="Start date", help_text="For example, 27 3 2007")
    contact = forms.ChoiceField(
        label="How should we contact you?",
        widget=forms.RadioSelect,
        choices=[("email", "Email"), ("phone", "Phone")],
    )
    needs = forms.MultipleChoiceField(
        label="Needs",
        widget=forms.CheckboxSelectMultiple,
        choices=[("housing", "Housing"), ("work", "Employment")],
    )
    reason = forms.ChoiceField(
        label="Decline reason",
        choices=[
            ("", "Choose a reason"),
            ("Eligibility", [("age", "Too young"), ("area", "Out of area")]),
            ("Capacity", [("full", "Service full")]),
        ],
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    consent = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.data.get("full_name") == "Nobody":
            raise forms.ValidationError("Something is wrong overall")
        return cleaned


class DateOnlyForm(forms.Form):
    date_of_birth = DateField()
    appointment = DateField(label="Appointment date", required=False)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.summary_links: list[str] = []
        self.in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if "govuk-error-summary" in (attributes.get("class") or "").split():
            self.in_summary = True
        if tag == "a" and self.in_summary and (attributes.get("href") or "").startswith("#"):
            self.summary_links.append(str(attributes["href"])[1:])


def render(form: forms.Form) -> str:
    return PAGE.render(Context({"form": form}))


def date_data(day: str, month: str, year: str, name: str = "date_of_birth") -> dict[str, str]:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def test_renderer_is_configured() -> None:
    form = SampleForm()
    assert isinstance(form.renderer, GovUKFormRenderer)


def test_error_summary_links_point_at_existing_unique_ids() -> None:
    form = SampleForm(data={"full_name": "Nobody", "start-day": "31", "start-month": "2"})
    assert not form.is_valid()
    html = render(form)
    parser = _Collector()
    parser.feed(html)
    assert "There is a problem" in html
    assert len(parser.ids) == len(set(parser.ids)), "duplicate ids"
    assert set(parser.summary_links) == {"id_start", "id_contact", "id_needs", "id_reason"} | {
        "id_consent"
    }
    for target in parser.summary_links:
        assert target in parser.ids
    # The non-field error is listed without a link.
    assert "<li>Something is wrong overall</li>" in html


def test_no_error_summary_without_errors() -> None:
    assert "govuk-error-summary" not in render(SampleForm())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (date_data("", "", ""), "Enter date of birth"),
        (date_data("31", "2", "2020"), "Date of birth must be a real date"),
        (date_data("12", "13", "2020"), "Date of birth must be a real date"),
        (date_data("aa", "2", "2020"), "Date of birth must be a real date"),
        (date_data("5", "", ""), "Date of birth must include a month and year"),
        (date_data("", "", "2020"), "Date of birth must include a day and month"),
        (date_data("5", "", "2020"), "Date of birth must include a month"),
        (date_data("5", "6", ""), "Date of birth must include a year"),
        (date_data("5", "6", "20"), "Year must include 4 numbers"),
    ],
)
def test_date_field_errors(data: dict[str, str], message: str) -> None:
    form = DateOnlyForm(data=data)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_date_field_uses_explicit_label_and_optional() -> None:
    form = DateOnlyForm(
        data={**date_data("1", "2", "2000"), **date_data("", "3", "", "appointment")}
    )
    assert not form.is_valid()
    assert form.errors["appointment"] == ["Appointment date must include a day and year"]
    empty = DateOnlyForm(data=date_data("1", "2", "2000"))
    assert empty.is_valid(), empty.errors
    assert empty.cleaned_data["appointment"] is None


def test_valid_date_returns_date() -> None:
    form = DateOnlyForm(data=date_data(" 7 ", "03", "2024"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2024, 3, 7)


def test_date_input_ids_names_and_initial() -> None:
    form = DateOnlyForm(initial={"date_of_birth": datetime.date(2021, 11, 4)})
    html = str(form["date_of_birth"].as_field_group())
    assert form["date_of_birth"].id_for_label == "id_date_of_birth"
    for id_, name, value in [
        ("id_date_of_birth", "date_of_birth-day", "4"),
        ("id_date_of_birth-month", "date_of_birth-month", "11"),
        ("id_date_of_birth-year", "date_of_birth-year", "2021"),
    ]:
        assert re.search(rf'name="{name}" value="{value}"[^>]*id="{id_}"', html), id_
    assert 'inputmode="numeric"' in html
    assert "govuk-input--width-4" in html
    assert "required" not in html


def test_date_input_keeps_typed_values_and_marks_error() -> None:
    form = DateOnlyForm(data=date_data("31", "2", "2020"))
    assert not form.is_valid()
    html = str(form["date_of_birth"].as_field_group())
    assert 'value="31"' in html and 'value="2"' in html and 'value="2020"' in html
    assert html.count("govuk-input--error") == 3
    assert "govuk-form-group--error" in html
    assert 'aria-describedby="id_date_of_birth_error"' in html


def test_optional_label_suffix() -> None:
    html = render(SampleForm())
    assert "Email address (optional)" in html
    assert "Notes (optional)" in html
    assert "Full name (optional)" not in html
    assert "Start date (optional)" not in html


def test_input_error_classes_and_describedby() -> None:
    form = SampleForm(data={"email": "not-an-email"})
    assert not form.is_valid()
    html = str(form["email"].as_field_group())
    assert "govuk-form-group--error" in html
    assert "govuk-input govuk-input--error" in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter a valid email address.' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_helptext" class="govuk-hint"' in html
    assert 'value="not-an-email"' in html


def test_input_passes_widget_attrs_through() -> None:
    html = str(SampleForm()["full_name"].as_field_group())
    assert 'autocomplete="name"' in html
    assert 'class="govuk-input"' in html
    assert '<label class="govuk-label govuk-label--s" for="id_full_name">' in html


def test_radios_render() -> None:
    form = SampleForm(initial={"contact": "phone"})
    html = str(form["contact"].as_field_group())
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in html
    assert 'class="govuk-radios" data-module="govuk-radios"' in html
    assert re.search(r'id="id_contact" name="contact" type="radio" value="email">', html)
    assert re.search(r'id="id_contact-2" name="contact" type="radio" value="phone" checked>', html)
    assert form["contact"].id_for_label == "id_contact"


def test_grouped_radios_render_groups() -> None:
    class GroupedForm(forms.Form):
        reason = forms.ChoiceField(
            widget=forms.RadioSelect,
            choices=[("Eligibility", [("age", "Too young")]), ("Capacity", [("full", "Full")])],
        )

    html = str(GroupedForm()["reason"].as_field_group())
    assert 'role="group" aria-labelledby="id_reason-group-0"' in html
    assert ">Eligibility</p>" in html and ">Capacity</p>" in html
    assert 'id="id_reason"' in html and 'id="id_reason-2"' in html


def test_checkboxes_render() -> None:
    form = SampleForm(data={"needs": ["work"]})
    form.is_valid()
    html = str(form["needs"].as_field_group())
    assert 'class="govuk-checkboxes" data-module="govuk-checkboxes"' in html
    assert re.search(r'id="id_needs" name="needs" type="checkbox" value="housing">', html)
    assert re.search(r'id="id_needs-2" name="needs" type="checkbox" value="work" checked>', html)


def test_single_checkbox_renders() -> None:
    form = SampleForm(data={})
    form.is_valid()
    html = str(form["consent"].as_field_group())
    assert "govuk-checkboxes__item" in html
    assert 'class="govuk-checkboxes__input"' in html
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_consent">I agree' in html
    assert 'id="id_consent_error"' in html


def test_select_with_optgroups_renders() -> None:
    form = SampleForm(data={"reason": "area"})
    form.is_valid()
    html = str(form["reason"].as_field_group())
    assert 'class="govuk-select"' in html
    assert '<optgroup label="Eligibility">' in html
    assert '<optgroup label="Capacity">' in html
    assert '<option value="area" selected>Out of area</option>' in html


def test_textarea_and_hidden_render() -> None:
    form = SampleForm()
    assert 'class="govuk-textarea"' in str(form["notes"].as_field_group())
    hidden = str(form["token"].as_field_group()).strip()
    assert hidden.startswith('<input type="hidden" name="token"')
    assert "govuk-form-group" not in hidden
