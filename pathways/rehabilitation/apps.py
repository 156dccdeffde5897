from __future__ import annotations

from django.apps import AppConfig


class RehabilitationConfig(AppConfig):
    name = "pathways.rehabilitation"
    label = "rehabilitation"
    verbose_name = "Rehabilitation of offenders: when a conviction is spent"
