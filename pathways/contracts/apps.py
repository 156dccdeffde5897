from __future__ import annotations

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "pathways.contracts"
    label = "contracts"
    verbose_name = "Contracts: terms, extensions, value, co-funders, payments, milestones"
