from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pathways.reports"
    label = "reports"
    verbose_name = "Reports: dashboard, RR Board report, equality monitoring"
