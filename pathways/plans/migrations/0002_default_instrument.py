from __future__ import annotations

from django.db import migrations

from pathways.plans.reference import load_default_instrument


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load_default_instrument, migrations.RunPython.noop)]
