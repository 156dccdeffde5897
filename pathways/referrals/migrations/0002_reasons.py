"""Reference data: decline and end-of-support reasons, in the groups reports use."""

from __future__ import annotations

from django.db import migrations

from pathways.referrals.reference import load_reasons


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    load_reasons(
        apps.get_model("referrals", "DeclineReason"), apps.get_model("referrals", "EndReason")
    )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
