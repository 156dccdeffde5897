from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_retention"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScheduledJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The job's registered name.", max_length=100, unique=True
                    ),
                ),
                (
                    "last_run_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the job last started (enqueued or ran).",
                        null=True,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="TaskLease",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        help_text="What the task works on, e.g. an import.", max_length=60
                    ),
                ),
                (
                    "object_id",
                    models.BigIntegerField(help_text="The id of the record it works on."),
                ),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="What the handler needs to clean up (no person).",
                    ),
                ),
                ("started_at", models.DateTimeField(help_text="When the task took the lease.")),
                (
                    "expires_at",
                    models.DateTimeField(help_text="Lapses unless the worker renews it first."),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["expires_at"], name="core_tasklease_expiry")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"), name="one_lease_per_record"
                    )
                ],
            },
        ),
    ]
