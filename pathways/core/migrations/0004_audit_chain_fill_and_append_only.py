"""Chain the audit events that exist, then make the table append-only on PostgreSQL.

The trigger refuses UPDATE and DELETE of any row. TRUNCATE is not refused (the test
suite's flush uses it); the application's database role must not own the table in
production, which takes TRUNCATE away from it (docs/security.md).
"""

from __future__ import annotations

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % of core_auditevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER core_auditevent_append_only
BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""


def fill_chain(apps, schema_editor):
    from pathways.core.audit import GENESIS, event_hash

    AuditEvent = apps.get_model("core", "AuditEvent")
    prev_hash = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        fields = {
            "at": event.at,
            "actor_id": event.actor_id,
            "kind": event.kind,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "subject_id": event.subject_id,
            "episode_id": event.episode_id,
            "summary": event.summary,
            "detail": event.detail,
        }
        digest = event_hash(fields, prev_hash)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev_hash, hash=digest)
        prev_hash = digest


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_hash_chain")]

    operations = [
        migrations.RunPython(fill_chain, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
