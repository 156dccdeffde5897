from __future__ import annotations

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "pathways.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes: orders, proven offences, measures and targets"

    def ready(self) -> None:
        # The nightly recount of kept figures (outcomes.kept), enqueued by the scheduler
        # for the worker after the purge (docs/operations.md).
        import datetime

        from pathways.core import scheduler
        from pathways.outcomes.tasks import recount_kept_figures

        scheduler.register(
            "recount_kept_figures", recount_kept_figures.enqueue, at=datetime.time(3, 30)
        )
