from __future__ import annotations

from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "pathways.data_protection"
    label = "data_protection"

    def ready(self) -> None:
        # The daily retention purge (it freezes the closed periods it touches first),
        # enqueued by the scheduler for the worker (docs/operations.md).
        import datetime

        from pathways.core import scheduler
        from pathways.data_protection.retention import purge_expired_records

        scheduler.register("purge_expired", purge_expired_records.enqueue, at=datetime.time(2, 0))
