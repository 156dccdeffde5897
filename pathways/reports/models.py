"""The half-yearly RR Board report: the manager's commentary, and each generated report
kept with its period, time, figures and documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Commentary(models.Model):
    """What the manager writes for the board about one period."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="board_commentaries",
        db_index=False,  # served by one_commentary_per_period (service, ...)
        help_text="The service reported on.",
    )
    period_start = models.DateField(help_text="First day of the period.")
    period_end = models.DateField(help_text="Last day of the period.")
    text = models.TextField(help_text="The manager's commentary for the board.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who wrote it last.",
    )
    updated_at = models.DateTimeField(help_text="When it was last changed.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period_start", "period_end"], name="one_commentary_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Commentary {self.period_start}:{self.period_end}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being generated"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class BoardReport(models.Model):
    """One generation of the RR Board report. The figures are kept as computed, so the page,
    the PDF and the spreadsheet always agree, and a report can be read again unchanged."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="board_reports",
        db_index=False,  # served by the index on (service, -requested_at)
        help_text="The service reported on.",
    )
    period_start = models.DateField(help_text="First day of the half-year.")
    period_end = models.DateField(help_text="Last day of the half-year.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who asked for it.",
    )
    requested_at = models.DateTimeField(help_text="When it was asked for.")
    status = models.CharField(
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.QUEUED,
        help_text="Where the generation has got to.",
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    progress_note = models.CharField(
        max_length=120, blank=True, help_text="What the generation is doing now."
    )
    as_of = models.DateField(
        null=True,
        blank=True,
        help_text="An updated edition: the day its figures are as at, counting facts recorded "
        "after the half-year ended (blank: the first edition, as at the half-year's last day).",
    )
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it finished.")
    figures = models.JSONField(
        default=dict, blank=True, help_text="Every figure in the report, as computed."
    )
    pdf = models.BinaryField(null=True, blank=True, help_text="The report as PDF.")
    xlsx = models.BinaryField(null=True, blank=True, help_text="The report as a spreadsheet.")
    error = models.TextField(blank=True, help_text="Why the generation failed, if it did.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["service", "-requested_at"])]

    def __str__(self) -> str:
        return f"RR Board report {self.period_start}:{self.period_end} ({self.status})"
