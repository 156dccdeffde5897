"""Reference data: sectors, requirements (cards, licences, qualifications), offence categories."""

from __future__ import annotations

from django.db import migrations

from pathways.employers.reference import load_reference


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    load_reference(
        apps.get_model("employers", "Sector"),
        apps.get_model("employers", "Requirement"),
        apps.get_model("employers", "OffenceCategory"),
    )


class Migration(migrations.Migration):
    dependencies = [("employers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
