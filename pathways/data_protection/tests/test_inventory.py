"""Every field of every model is tagged (or its model declared not personal), and
docs/data-protection.md is the inventory generated from the tags."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from pathways.data_protection.inventory import NOT_PERSONAL, RECORDS
from pathways.data_protection.management.commands.data_inventory import inventory


def _pathways_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("pathways.")]


def _field_names(model: type[models.Model]) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if field.concrete or (field.many_to_many and not field.auto_created)
    }


def test_every_model_is_in_the_inventory() -> None:
    missing = [
        model._meta.label_lower
        for model in _pathways_models()
        if model._meta.label_lower not in RECORDS and model._meta.label_lower not in NOT_PERSONAL
    ]
    assert not missing, (
        "Models missing from pathways/data_protection/inventory.py (tag their fields in RECORDS, "
        f"or say in NOT_PERSONAL why they hold no personal data): {missing}"
    )


def test_every_field_is_tagged() -> None:
    problems = []
    for label, record in RECORDS.items():
        model = apps.get_model(label)
        fields = _field_names(model)
        untagged = sorted(fields - set(record.fields))
        unknown = sorted(set(record.fields) - fields)
        if untagged:
            problems.append(f"{label}: untagged {untagged}")
        if unknown:
            problems.append(f"{label}: tags for fields that do not exist {unknown}")
    assert not problems, "\n".join(problems)


def test_the_not_personal_models_hold_no_person() -> None:
    """A model declared not personal has no link to a participant or a referral."""
    for label in NOT_PERSONAL:
        model = apps.get_model(label)
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is not None:
                assert field.related_model._meta.label_lower not in {
                    "participants.participant",
                    "referrals.referral",
                }, f"{label}.{field.name}"


def test_the_committed_inventory_is_the_generated_one() -> None:
    committed = (Path(settings.BASE_DIR) / "docs" / "data-protection.md").read_text()
    assert committed == inventory(), (
        "docs/data-protection.md is out of date: "
        "python manage.py data_inventory > docs/data-protection.md"
    )
