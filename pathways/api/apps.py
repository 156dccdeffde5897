from __future__ import annotations

import datetime

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pathways.api"
    label = "api"
    verbose_name = "Integration API"

    def ready(self) -> None:
        from oauth2_provider.models import clear_expired

        from pathways.core import scheduler

        # Expired API tokens are deleted each night (django-oauth-toolkit's own sweep).
        scheduler.register("clear_expired_tokens", clear_expired, at=datetime.time(3, 0))
