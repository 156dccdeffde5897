from __future__ import annotations

from django.apps import AppConfig


class ConvictionsConfig(AppConfig):
    name = "pathways.convictions"
    label = "convictions"
    verbose_name = "Convictions: sentences, spent dates, what a check shows"
