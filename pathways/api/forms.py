from __future__ import annotations

from typing import Any

from django import forms

from pathways.accounts.models import Service
from pathways.api.scopes import SCOPES
from pathways.core.forms import Form
from pathways.core.forms import text_field as _text


class ClientForm(Form):
    name = _text(
        "Name of the system",
        hint="What the system is and whose it is, for example nDelius (Stoke PDU).",
        max_length=120,
    )
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        empty_label="Choose a service",
        help_text="The client works with this service only.",
        error_messages={"required": "Select the service the client works with"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=[(scope, f"{scope}: {words}") for scope, words in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="Give only what the system needs. Select all that apply.",
        error_messages={"required": "Select at least one thing the client may do"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.order_by("name")


class ConfirmForm(Form):
    """A button only (suspend, reinstate): the post is the answer."""
