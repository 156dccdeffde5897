from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pathways.core"
    label = "core"

    def ready(self) -> None:
        from pathways.core import jobs

        jobs.register()
