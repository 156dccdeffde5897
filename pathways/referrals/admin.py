"""Reference data for referrals. Case records are not in the admin: they go through
the role-scoped pages, so that every view is audited."""

from __future__ import annotations

from django.contrib import admin

from pathways.referrals.models import DeclineReason, EndReason


@admin.register(DeclineReason, EndReason)
class ReasonAdmin(admin.ModelAdmin):
    list_display = ("label", "group", "code", "needs_note", "retired_at")
    list_filter = ("group",)
    actions = None

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
