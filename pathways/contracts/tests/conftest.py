from __future__ import annotations

from pathways.reports.tests.conftest import world

__all__ = ["world"]
