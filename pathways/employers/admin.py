"""Reference data for employers and matching. Employers themselves are managed on the
service's pages (they belong to a service and their changes are audited there)."""

from __future__ import annotations

from django.contrib import admin

from pathways.employers.models import OffenceCategory, Requirement, Sector


@admin.register(Sector, OffenceCategory)
class ReferenceItemAdmin(admin.ModelAdmin):
    list_display: tuple[str, ...] = ("label", "code", "order", "retired_at")
    actions = None

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Requirement)
class RequirementAdmin(ReferenceItemAdmin):
    list_display = ("label", "kind", "code", "order", "retired_at")
    list_filter = ("kind",)
