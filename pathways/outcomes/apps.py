from __future__ import annotations

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "pathways.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes: orders, proven offences, measures and targets"
