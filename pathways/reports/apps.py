from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pathways.reports"
    label = "reports"
    verbose_name = "Reports: dashboard, RR Board report, equality monitoring"

    def ready(self) -> None:
        # What to do when a report's worker dies (the reaper runs in the scheduler).
        from pathways.reports import tasks  # noqa: F401
