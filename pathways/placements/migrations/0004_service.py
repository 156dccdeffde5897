"""Placements and sustainment checks carry their referral's service (set from it when
each is made, ``Placement.save`` and ``SustainmentCheck.save``), so that a service's lists
start from its own rows. Existing rows are filled in SQL from their referral's service."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE placements_placement SET service_id = (SELECT r.service_id FROM "
    "referrals_referral r WHERE r.id = placements_placement.referral_id)",
    "UPDATE placements_sustainmentcheck SET service_id = (SELECT p.service_id FROM "
    "placements_placement p WHERE p.id = placements_sustainmentcheck.placement_id)",
)


def fill(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # The new foreign keys are deferred: checked now, so that the columns can be
            # made NOT NULL in the same transaction (no pending trigger events).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in FILL:
            cursor.execute(statement)


def _service(null: bool) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="accounts.service",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_oversees"),
        ("placements", "0003_measure_indexes"),
        ("referrals", "0006_referral_order_ended_reason"),
    ]

    operations = [
        migrations.AddField(model_name="placement", name="service", field=_service(True)),
        migrations.AddField(model_name="sustainmentcheck", name="service", field=_service(True)),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="placement",
            name="service",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                help_text="The referral's service (set from it when the placement is made).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.service",
            ),
        ),
        migrations.AlterField(
            model_name="sustainmentcheck",
            name="service",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                help_text="The placement's service (set from it when the check is made).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.service",
            ),
        ),
        migrations.AddIndex(
            model_name="placement",
            index=models.Index(
                fields=["service", "-put_forward_at", "-id"], name="placement_service_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="placement",
            index=models.Index(fields=["service", "started_on"], name="placement_service_started"),
        ),
        migrations.AddIndex(
            model_name="sustainmentcheck",
            index=models.Index(
                fields=["service", "checked_on", "due_on"], name="sustainment_service_due"
            ),
        ),
    ]
