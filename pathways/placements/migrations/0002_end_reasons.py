"""Reference data: why a placement ended early, in the groups reports use."""

from __future__ import annotations

from django.db import migrations

from pathways.placements.reference import load_end_reasons


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    load_end_reasons(apps.get_model("placements", "PlacementEndReason"))


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
