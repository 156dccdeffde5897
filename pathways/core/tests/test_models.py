"""Every field of Pathways' own models says what it means (commissioners ask)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import AbstractUser

INHERITED = {field.name for field in AbstractUser._meta.get_fields()}


def test_every_field_has_help_text() -> None:
    missing = []
    for config in apps.get_app_configs():
        if not config.name.startswith("pathways."):
            continue
        for model in config.get_models():
            for field in model._meta.local_fields + list(model._meta.local_many_to_many):
                if field.auto_created or (model.__name__ == "User" and field.name in INHERITED):
                    continue
                if not str(field.help_text).strip():
                    missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []
