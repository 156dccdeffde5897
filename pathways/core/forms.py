"""GOV.UK Design System rendering for Django forms.

``GovUKFormRenderer`` (set as ``FORM_RENDERER``) makes ``{{ form }}`` and
``{{ form.field.as_field_group }}`` render GOV.UK form groups: label or legend, hint, error
message and a widget with the GOV.UK classes. It does this through ``GovUKBoundField``, which
adds a few ``govuk_*`` properties the templates in ``templates/govuk/forms/`` use.

``DateField``/``DateInput`` implement the GOV.UK date input pattern (day, month and year boxes);
a date must fall between ``periods.EARLIEST`` and ``periods.LATEST``.

Every form of Pathways is a ``Form`` or ``ModelForm`` from here (a test walks them all):
each text field of one refuses control characters (``core.text``), single-line text all
of them, multi-line text all but tab and line breaks, whoever built the field.

Only Django, the standard library and ``core.text``/``core.periods`` are imported here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.forms.widgets import ChoiceWidget, Input
from django.utils.safestring import SafeString

from pathways.core.periods import EARLIEST, LATEST
from pathways.core.text import has_control_characters

__all__ = [
    "DateField",
    "DateInput",
    "Form",
    "GovUKBoundField",
    "GovUKFormRenderer",
    "ModelForm",
    "PlainText",
]

# Widget CSS class prefixes that style the container (e.g. ``govuk-radios--small``), not inputs.
_CONTAINER_CLASS_PREFIXES = ("govuk-radios--", "govuk-checkboxes--")


def _split_classes(widget: forms.Widget) -> tuple[str, str]:
    """Split a widget's ``class`` attr into (input classes, container modifier classes)."""
    classes = str(widget.attrs.get("class", "")).split()
    container = [c for c in classes if c.startswith(_CONTAINER_CLASS_PREFIXES)]
    own = [c for c in classes if not c.startswith(_CONTAINER_CLASS_PREFIXES)]
    return " ".join(own), " ".join(container)


class DateInput(forms.MultiWidget):
    """GOV.UK date input: day, month and year text boxes in a fieldset.

    For a field with id ``id_start`` the inputs are ``id_start`` (day), ``id_start-month`` and
    ``id_start-year``; their names are ``<name>-day``, ``<name>-month`` and ``<name>-year``.
    The day box carries the field's own id so an error summary link ``#id_start`` focuses it.
    """

    template_name = "govuk/forms/widgets/date_input.html"
    parts: tuple[tuple[str, str, str], ...] = (
        ("day", "Day", "govuk-input--width-2"),
        ("month", "Month", "govuk-input--width-2"),
        ("year", "Year", "govuk-input--width-4"),
    )

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input {width}",
                    "inputmode": "numeric",
                }
            )
            for part, _label, width in self.parts
        }
        super().__init__(widgets, attrs)
        self.widgets_names = [f"-{part}" for part, _label, _width in self.parts]

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        return id_

    def use_required_attribute(self, initial: Any) -> bool:
        # GOV.UK validates on the server; browser validation would pre-empt the error summary.
        return False

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        final_attrs = context["widget"]["attrs"]
        id_ = final_attrs.get("id")
        has_error = bool(final_attrs.get("aria-invalid"))
        for index, (subwidget, (part, label, _width)) in enumerate(
            zip(context["widget"]["subwidgets"], self.parts, strict=True)
        ):
            sub_attrs = subwidget["attrs"]
            sub_attrs.pop("aria-describedby", None)  # described on the fieldset instead
            if id_:
                sub_attrs["id"] = id_ if index == 0 else f"{id_}-{part}"
            base_class = str(self.widgets[index].attrs.get("class", ""))
            sub_attrs["class"] = f"{base_class} govuk-input--error" if has_error else base_class
            subwidget["label"] = label
        return context


def _lower_first(text: str) -> str:
    """Lower-case a label for use mid-sentence, keeping acronyms (``NHS number``) intact."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


class DateField(forms.Field):
    """A date entered as day, month and year; cleans to ``datetime.date``.

    Error messages follow the GOV.UK date input pattern. ``{label}`` is the field label
    lower-cased for mid-sentence use and ``{Label}`` the label as a sentence start.
    """

    widget = DateInput
    default_error_messages = {
        "required": "Enter {label}",
        "incomplete": "{Label} must include a {missing}",
        "invalid": "{Label} must be a real date",
        "year_length": "Year must include 4 numbers",
        "out_of_range": "{Label} must be between {earliest} and {latest}",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._name_label: str | None = None

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        # Remember a label derived from the field name for messages when none was given.
        self._name_label = pretty_name(field_name)
        return super().get_bound_field(form, field_name)

    def _label(self) -> str:
        return str(self.label or self._name_label or "Date")

    def _error(self, code: str, **params: str) -> ValidationError:
        label = self._label()
        message = str(self.error_messages[code]).format(
            label=_lower_first(label), Label=_upper_first(label), **params
        )
        return ValidationError(message, code=code)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if value in self.empty_values:
            value = ["", "", ""]
        if isinstance(value, str):
            value = self.widget.decompress(value) if isinstance(self.widget, DateInput) else []
        parts = [str(part or "").strip() for part in value]
        if len(parts) != 3:
            raise self._error("invalid")
        if not any(parts):
            if self.required:
                raise self._error("required")
            return None
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise self._error("incomplete", missing=" and ".join(missing))
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise self._error("invalid")
        day, month, year = parts
        if len(year) != 4:
            raise self._error("year_length")
        try:
            date = datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise self._error("invalid") from None
        if not EARLIEST <= date <= LATEST:
            raise self._error(
                "out_of_range", earliest=f"{EARLIEST:%-d %B %Y}", latest=f"{LATEST:%-d %B %Y}"
            )
        return date

    def validate(self, value: Any) -> None:
        # "required" is handled in to_python, which knows the label.
        return None


class GovUKBoundField(BoundField):
    """A BoundField with the extra pieces the GOV.UK field templates need."""

    @property
    def govuk_kind(self) -> str:
        """Which GOV.UK component renders this field."""
        widget = self.field.widget
        if widget.is_hidden:
            return "hidden"
        if isinstance(widget, DateInput):
            return "date"
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        if isinstance(widget, forms.Select):
            return "select"
        if isinstance(widget, forms.Textarea):
            return "textarea"
        if isinstance(widget, forms.FileInput):
            return "file"
        if isinstance(widget, Input):
            return "input"
        return "other"

    @property
    def govuk_template(self) -> str:
        return f"govuk/forms/fields/{self.govuk_kind}.html"

    @property
    def id_for_label(self) -> str:
        """The id an error summary link should target (first radio/checkbox for choices)."""
        if self.govuk_kind in ("radios", "checkboxes"):
            return self.auto_id or ""
        return str(super().id_for_label)

    @property
    def govuk_hint_id(self) -> str:
        return f"{self.auto_id}_helptext"

    @property
    def govuk_error_id(self) -> str:
        return f"{self.auto_id}_error"

    @property
    def govuk_describedby(self) -> str:
        """aria-describedby for a fieldset (hint then error)."""
        ids = []
        if self.help_text:
            ids.append(self.govuk_hint_id)
        if self.errors:
            ids.append(self.govuk_error_id)
        return " ".join(ids)

    @property
    def govuk_container_classes(self) -> str:
        """Modifier classes for the radios/checkboxes container, from the widget's class."""
        return _split_classes(self.field.widget)[1]

    def _govuk_widget_class(self) -> str:
        kind = self.govuk_kind
        own = _split_classes(self.field.widget)[0]
        error = bool(self.errors)
        base = {
            "input": "govuk-input",
            "textarea": "govuk-textarea",
            "select": "govuk-select",
            "file": "govuk-file-upload",
            "checkbox": "govuk-checkboxes__input",
        }.get(kind, "")
        classes = [base] if base else []
        if error and kind in ("input", "textarea", "select", "file"):
            classes.append(f"{base}--error")
        classes.extend(c for c in own.split() if c not in classes)
        return " ".join(classes)

    @property
    def govuk_widget(self) -> SafeString:
        """The widget HTML with GOV.UK classes and no browser ``required`` validation."""
        widget = self.field.widget
        if self.field.localize:
            widget.is_localized = True
        attrs: dict[str, Any] = {}
        widget_class = self._govuk_widget_class()
        if widget_class:
            attrs["class"] = widget_class
        attrs = self.build_widget_attrs(attrs, widget)
        attrs.pop("required", None)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        html: SafeString = widget.render(
            name=self.html_name, value=self.value(), attrs=attrs, renderer=self.form.renderer
        )
        return html

    @property
    def govuk_choice_groups(self) -> list[dict[str, Any]]:
        """Options of a RadioSelect/CheckboxSelectMultiple as groups for the templates.

        Each group is ``{"label": str | None, "id": str, "options": [...]}``; ungrouped
        choices are in groups with ``label`` None. Option ids are ``<auto_id>`` for the first
        and ``<auto_id>-2``, ``<auto_id>-3``, ... after that (the GOV.UK convention).
        """
        widget = self.field.widget
        if not isinstance(widget, ChoiceWidget):
            return []
        value = widget.format_value(self.value())
        groups: list[dict[str, Any]] = []
        counter = 0
        base_id = self.auto_id or self.html_name
        for group_name, options, index in widget.optgroups(self.html_name, value):
            group_options = []
            for option in options:
                counter += 1
                group_options.append(
                    {
                        "id": base_id if counter == 1 else f"{base_id}-{counter}",
                        "name": option["name"],
                        "value": option["value"],
                        "label": option["label"],
                        "checked": option["selected"],
                    }
                )
            groups.append(
                {
                    "label": group_name,
                    "id": f"{base_id}-group-{index}",
                    "options": group_options,
                }
            )
        return groups


class GovUKFormRenderer(TemplatesSetting):
    """Renders forms and fields with the GOV.UK templates in ``templates/govuk/forms/``."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovUKBoundField


class PlainText:
    """Refuses control characters in a text field: all of them in single-line text; all but
    tab and line breaks in multi-line text (``core.text.has_control_characters``)."""

    code = "control_characters"

    def __init__(self, label: str, *, multiline: bool) -> None:
        self.multiline = multiline
        what = "control characters" if multiline else "tabs or control characters"
        self.message = f"{_upper_first(label)} must not contain special characters such as {what}"

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and has_control_characters(value, multiline=self.multiline):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainText) and (self.message, self.multiline) == (
            other.message,
            other.multiline,
        )

    def __hash__(self) -> int:
        return hash((self.message, self.multiline))


def plain_text(field: forms.Field, label: str) -> forms.Field:
    """Give a text field its ``PlainText`` validator (once; it stands in for Django's own
    refusal of NUL, to say one thing in the service's words); other fields pass unchanged."""
    if isinstance(field, forms.CharField) and not any(
        isinstance(validator, PlainText) for validator in field.validators
    ):
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators = [
            validator
            for validator in field.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]
        field.validators.append(PlainText(str(field.label or label), multiline=multiline))
    return field


class PlainTextFields:
    """Every text field of the form refuses control characters, including fields a form
    adds in ``__init__``: checked as the form is cleaned."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            plain_text(field, pretty_name(name))
        super().full_clean()  # type: ignore[misc]


class Form(PlainTextFields, forms.Form):
    """The base of every form of Pathways."""


class ModelForm(PlainTextFields, forms.ModelForm):
    """The base of every model form of Pathways."""


# Field builders with GOV.UK-style messages ("Enter ...", "Select ...").
TEXT = {"spellcheck": "false", "autocomplete": "off"}


def text_field(
    label: str, *, required: bool = True, hint: str = "", width: str = "", **kw: Any
) -> forms.CharField:
    attrs = dict(TEXT)
    if width:
        attrs["class"] = f"govuk-input--width-{width}"
    field = forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.TextInput(attrs=attrs),
        error_messages={"required": f"Enter {label[0].lower() + label[1:]}"},
        **kw,
    )
    plain_text(field, label)
    return field


def text_area(
    label: str, *, required: bool = True, hint: str = "", rows: int = 4, error: str = ""
) -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": error or f"Enter {label[0].lower() + label[1:]}"},
    )
    plain_text(field, label)
    return field


def radios(label: str, choices: Any, error: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": error}
    )


class DateRangeForm(Form):
    """Any two dates, for figures over a date range (GET: dates are not personal)."""

    start = DateField(label="From", help_text="For example, 1 5 2026")
    end = DateField(label="To", help_text="For example, 31 10 2026")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be on or after its start")
        return data


def date_range(
    query: Any, start: datetime.date, end: datetime.date
) -> tuple[DateRangeForm, datetime.date, datetime.date]:
    """The form, and the range asked for in the query string (``start`` to ``end`` until a
    valid range is sent)."""
    form = DateRangeForm(
        query if "start-day" in query else None, initial={"start": start, "end": end}
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


class PeriodForm(Form):
    """A reporting period: one of the named periods, or any dates. Dates are not personal,
    so pages send this form by GET."""

    period = forms.ChoiceField(
        label="Period", choices=(), error_messages={"required": "Select a period"}
    )
    start = DateField(label="From", required=False, help_text="For example, 1 5 2026")
    end = DateField(label="To", required=False, help_text="For example, 31 10 2026")

    def __init__(self, data: Any, *, choices: list[Any], default: Any) -> None:
        bound = data if data and ("period" in data or "start-day" in data) else None
        super().__init__(bound, initial={"period": default.key})
        self.default = default
        self.fields["period"].choices = [(p.key, str(p)) for p in choices]  # type: ignore[attr-defined]
        self.fields["period"].label = "Period"

    def clean(self) -> dict[str, Any]:
        from pathways.core.periods import Period, parse

        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                missing = "end" if start else "start"
                if missing not in self.errors:  # else it says what is wrong with it
                    self.add_error(missing, "Enter both dates of the period")
            elif end < start:
                self.add_error("end", "The end of the period must be on or after its start")
            else:
                data["chosen"] = Period(start, end)
        elif data.get("period"):
            try:
                data["chosen"] = parse(data["period"])
            except ValueError as error:
                self.add_error("period", str(error))
        return data

    @property
    def chosen(self) -> Any:
        """The period asked for; the default until a valid one is sent."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("chosen", self.default)
        return self.default
