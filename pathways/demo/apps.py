from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pathways.demo"
    label = "demo"
    verbose_name = "Demo: the demo world and the load_demo command"
