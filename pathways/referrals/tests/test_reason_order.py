"""Every reason list puts "Other" last: the reference-data reasons through their one order
(``Reason.objects.in_list_order``, which the pages' selectors use), and every fixed list of
choices with an "other" answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from pathways.placements.models import PlacementEndReason
from pathways.placements.selectors import end_reasons
from pathways.referrals.forms import DeclineForm, EndForm
from pathways.referrals.models import OTHER, DeclineReason, EndReason, Reason
from pathways.referrals.selectors import reasons

pytestmark = pytest.mark.django_db


def _reason_models() -> list[type[Reason]]:
    found = [m for m in apps.get_models() if issubclass(m, Reason)]
    assert {DeclineReason, EndReason, PlacementEndReason} <= set(found)
    return found


def _last_is_other(rows: list[Any]) -> None:
    assert rows, "a reason list is empty"
    assert rows[-1].group == OTHER
    assert rows[-1].label == OTHER
    assert all(row.group != OTHER for row in rows[:-1])


@pytest.mark.parametrize("model", _reason_models(), ids=lambda m: m.__name__)
def test_every_reason_list_ends_with_other(model: type[Reason]) -> None:
    _last_is_other(list(model.objects.in_list_order()))


def test_other_stays_last_when_reasons_are_added() -> None:
    """An administrator's new group sorts among the others, never after "Other"; an
    "Other" inside a group ends that group."""
    EndReason.objects.create(group="Zeal", code="zeal", label="Keen elsewhere", order=0)
    EndReason.objects.create(group="Positive", code="pos-other", label="Other", order=0)
    rows = list(EndReason.objects.in_list_order())
    _last_is_other(rows)
    positive = [row.label for row in rows if row.group == "Positive"]
    assert positive[-1] == OTHER and positive.count(OTHER) == 1
    assert [row.group for row in rows].index("Zeal") < len(rows) - 1


def test_the_pages_lists_end_with_other() -> None:
    _last_is_other(reasons(DeclineReason))
    _last_is_other(reasons(EndReason))
    _last_is_other(end_reasons())
    for form in (
        DeclineForm(reasons=reasons(DeclineReason)),
        EndForm(reasons=reasons(EndReason), receiving_support=True),
    ):
        choices = form.fields["reason"].choices  # type: ignore[attr-defined]
        group, options = choices[-1]
        assert group == OTHER
        assert [label for _, label in options] == [OTHER]


def _text_choices() -> list[type[models.TextChoices]]:
    def below(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *below(sub))]

    for config in apps.get_app_configs():
        if config.name.startswith("pathways"):
            config.import_models()
    return [c for c in below(models.TextChoices) if c.__module__.startswith("pathways")]


def test_every_list_of_choices_puts_other_last() -> None:
    """ "Other" is the last answer, followed at most by "Prefer not to say" (the GOV.UK
    equality questions' order)."""
    checked = 0
    for choices in _text_choices():
        values = list(choices.values)
        if "other" not in values:
            continue
        after = values[values.index("other") + 1 :]
        assert all("prefer" in value for value in after), choices.__name__
        checked += 1
    assert checked >= 8
