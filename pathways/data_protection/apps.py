from __future__ import annotations

from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "pathways.data_protection"
    label = "data_protection"
