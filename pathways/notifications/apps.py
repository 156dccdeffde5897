from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pathways.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Messages follow the events the domain already records: a receiver on the audit
        # event (pathways/notifications/events.py), so no lower app calls this one.
        from django.db.models.signals import post_save

        from pathways.core.models import AuditEvent
        from pathways.notifications.events import on_audit_event

        post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="notifications")
