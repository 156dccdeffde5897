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

        # The scheduled sends (docs/notifications.md): each is idempotent, so a second run
        # on the same day sends nothing more.
        import datetime

        from pathways.core import scheduler
        from pathways.notifications.scheduled import appointment_reminders, digests
        from pathways.notifications.tasks import send_due

        scheduler.register("worker_digests", digests, at=datetime.time(7, 30))
        scheduler.register("appointment_reminders", appointment_reminders, at=datetime.time(17, 0))
        scheduler.register("send_due_notifications", send_due, every=datetime.timedelta(minutes=5))
