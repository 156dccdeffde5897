from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "pathways.plans"
    label = "plans"
    verbose_name = "Pathway plans and distance travelled"
