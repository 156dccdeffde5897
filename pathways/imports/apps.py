from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "pathways.imports"
    label = "imports"
    verbose_name = "Probation data imports: orders, offences, OASys ETE need, cohorts"

    def ready(self) -> None:
        # What to do when an import's worker dies (the reaper runs in the scheduler).
        from pathways.imports import tasks  # noqa: F401
