from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "pathways.imports"
    label = "imports"
    verbose_name = "Probation data imports: orders, offences, OASys ETE need, cohorts"
