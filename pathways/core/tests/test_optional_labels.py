"""One rule adds "(optional)" to the label of a field that is not required
(templates/govuk/forms/partials/label_text.html), once: no form of the project writes it
into a label itself, so no page says "(optional) (optional)"."""

from __future__ import annotations

import re

import pytest
from django import forms

from pathways.convictions.forms import ConvictionForm
from pathways.core.tests.test_control_characters import _project_forms
from pathways.placements.forms import PutForwardForm


def test_no_label_of_any_form_says_optional_itself() -> None:
    project_forms = _project_forms()
    assert len(project_forms) > 40
    written = sorted(
        f"{form.__module__}.{form.__name__}.{name}"
        for form in project_forms
        for name, field in getattr(form, "base_fields", {}).items()
        if "optional" in str(field.label or "").lower()
    )
    assert written == []


def _labels(form: forms.BaseForm) -> list[str]:
    html = form.render()
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", html, re.S)
    ]


@pytest.mark.django_db
def test_an_optional_field_says_so_once() -> None:
    labels = _labels(PutForwardForm())
    assert "Note (optional)" in labels
    for form in (PutForwardForm(), ConvictionForm()):
        html = form.render()
        assert "(optional) (optional)" not in html
        assert all(label.count("(optional)") <= 1 for label in _labels(form))
