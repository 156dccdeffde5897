"""The administrator's view of messages: those Notify refused and those that bounced
(filter "Needs attention"). Read-only; no address and no content is held to show."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from pathways.notifications.models import NEEDS_ATTENTION, Message


class NeedsAttention(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Refused or not delivered")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        if self.value() == "yes":
            return queryset.filter(status__in=NEEDS_ATTENTION)
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("template", "channel", "user_id", "status", "attempts", "error", "created_at")
    list_filter = (NeedsAttention, "status", "template", "channel")
    fields = (
        "template",
        "channel",
        "user_id",
        "participant_id",
        "event_id",
        "reference",
        "status",
        "attempts",
        "error",
        "notify_id",
        "created_at",
        "sent_at",
        "status_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
