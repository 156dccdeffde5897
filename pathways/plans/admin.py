"""Distance-travelled instruments are configuration: the administrator adds a tool (for
example a licensed one such as Work Star or the Rickter Scale) by its area names and scale
only, never its copyrighted descriptors. Plans and readings are case records: they go
through the role-scoped pages, where every view is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pathways.plans.models import Instrument, InstrumentArea, InstrumentBand, Reading


def _used(instrument: Instrument | None) -> bool:
    return instrument is not None and Reading.objects.filter(instrument=instrument).exists()


class _FixedOnceUsed(admin.StackedInline):  # stacked: every field has its own label
    """Areas and bands cannot change once readings use the tool: they would no longer
    compare."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _used(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _used(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _used(obj)


class AreaInline(_FixedOnceUsed):
    model = InstrumentArea


class BandInline(_FixedOnceUsed):
    model = InstrumentBand


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "scale_min", "scale_max", "retired_at")
    inlines = [AreaInline, BandInline]
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("scale_min", "scale_max") if _used(obj) else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
