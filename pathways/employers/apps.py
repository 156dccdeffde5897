from __future__ import annotations

from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "pathways.employers"
    label = "employers"
