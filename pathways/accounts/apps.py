from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pathways.accounts"
    label = "accounts"

    def ready(self) -> None:
        from pathways.accounts import checks, lockout, signals  # noqa: F401  (connect them)
