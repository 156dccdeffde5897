import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_oidc_subject"),
        ("core", "0006_scheduler_and_task_leases"),
    ]

    operations = [
        migrations.CreateModel(
            name="Feedback",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("given_at", models.DateTimeField(help_text="When it was given.")),
                (
                    "satisfaction",
                    models.CharField(
                        choices=[
                            ("very_satisfied", "Very satisfied"),
                            ("satisfied", "Satisfied"),
                            ("neither", "Neither satisfied or dissatisfied"),
                            ("dissatisfied", "Dissatisfied"),
                            ("very_dissatisfied", "Very dissatisfied"),
                        ],
                        help_text="How they felt about the service.",
                        max_length=20,
                    ),
                ),
                (
                    "improvement",
                    models.TextField(
                        blank=True,
                        help_text="How they think the service could be improved.",
                        max_length=1200,
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True,
                        help_text="The role of whoever gave it (blank: signed out).",
                        max_length=20,
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        help_text="The service of whoever gave it (blank: signed out or the "
                        "administrator).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.service",
                    ),
                ),
            ],
            options={
                "ordering": ["-given_at", "-id"],
                "indexes": [
                    models.Index(fields=["service", "-given_at"], name="core_feedback_service")
                ],
            },
        ),
    ]
