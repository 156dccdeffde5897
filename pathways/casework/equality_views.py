"""The equality monitoring page of a person (workers and the manager only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pathways.casework import services
from pathways.casework.equality import equality_record_get_for
from pathways.core.access import Action
from pathways.core.forms import Form
from pathways.core.http import AuthenticatedHttpRequest, requires
from pathways.core.pages import form_page
from pathways.participants.models import (
    PREFER_NOT,
    PREFER_NOT_LABEL,
    EthnicGroup,
    Ethnicity,
    Religion,
    Sex,
    SexualOrientation,
    YesNo,
)

NOT_ANSWERED = ("", "Not asked or not answered yet")


def _choices(choices: list[tuple[str, str]]) -> list[Any]:
    return [*choices, NOT_ANSWERED]


def _ethnicity_choices() -> list[Any]:
    grouped: list[Any] = [
        (
            group.label,
            [(code, label) for code, label in Ethnicity.choices if code.startswith(f"{group}-")],
        )
        for group in EthnicGroup
    ]
    return [*grouped, (PREFER_NOT, PREFER_NOT_LABEL), NOT_ANSWERED]


def _question(label: str, choices: list[Any], hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=hint,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
    )


class EqualityForm(Form):
    sex = _question("What is their sex?", _choices(Sex.choices))
    gender_same_as_birth = _question(
        "Is the gender they identify with the same as their sex registered at birth?",
        _choices(YesNo.choices),
    )
    ethnicity = _question(
        "What is their ethnic group?",
        _ethnicity_choices(),
        hint="Choose the option that best describes their ethnic group or background, as "
        "they describe it.",
    )
    religion = _question("What is their religion?", _choices(Religion.choices))
    sexual_orientation = _question(
        "Which of the following best describes their sexual orientation?",
        _choices(SexualOrientation.choices),
    )
    disability = _question(
        "Do they have a physical or mental health condition or illness that has a "
        "substantial, long-term effect on their day-to-day activities?",
        _choices(YesNo.choices),
        hint="Long-term means lasting or expected to last 12 months or more.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RECORD_EQUALITY)
def equality(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant, record = equality_record_get_for(request.user, pk)
    fields = services.EQUALITY_FIELDS
    initial = {name: getattr(record, name) for name in fields} if record else {}
    back = reverse("participants:detail", args=[pk])
    return form_page(
        request,
        form=EqualityForm(request.POST or None, initial=initial),
        perform=lambda data: services.equality_record_save(
            actor=request.user, participant=participant, **data
        ),
        title="Equality monitoring",
        button="Save answers",
        done="Equality monitoring saved",
        caption=participant.full_name,
        back_url=back,
        back_label="Back to the person's record",
        intro="participants/intro/equality.html",
        context={"record": record},
    )
