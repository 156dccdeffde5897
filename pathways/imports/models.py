"""Probation data imports: each import's history row, and the facts only an extract gives.

Orders and proven offences from an extract are written to the outcomes app's ``Order`` and
``ProvenOffence`` with ``source="import"`` and ``source_ref="import:<batch id>"``. OASys ETE
need assessments and cohort lists have no hand-entry form, so they live here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    ORDERS = "orders", "Orders and licences"
    OFFENCES = "offences", "Proven offences"
    ETE_NEED = "ete_need", "OASys ETE need"
    COHORT = "cohort", "Cohort list"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking rows"
    SAVING = "saving", "Saving"
    DONE = "done", "Imported"
    CHECKED = "checked", "Dry run finished"
    REJECTED = "rejected", "Has errors: nothing changed"
    DUPLICATE = "duplicate", "Already imported: nothing changed"
    FAILED = "failed", "Failed: nothing changed"
    TOO_LARGE = "too_large", "Too large to import: nothing changed"


RUNNING = (BatchStatus.QUEUED, BatchStatus.CHECKING, BatchStatus.SAVING)


class ImportBatch(models.Model):
    """One file taken in (or checked in a dry run): who, when, what, and what it changed."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # served by the index on (service, kind, checksum)
        help_text="The service whose people the file is matched against.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, help_text="What the file holds.")
    file_name = models.CharField(max_length=255, help_text="The name of the file as uploaded.")
    checksum = models.CharField(
        max_length=64, help_text="SHA-256 of the file's content: the same file is recognised."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who imported it (empty when run from the command line without --user).",
    )
    uploaded_at = models.DateTimeField(help_text="When the import was asked for.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it finished.")
    dry_run = models.BooleanField(
        default=False, help_text="A dry run checks and counts but changes nothing."
    )
    status = models.CharField(
        max_length=16,
        choices=BatchStatus.choices,
        default=BatchStatus.QUEUED,
        help_text="Where the import is, or how it ended.",
    )
    matched = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a file already imported: the earlier import with the same content.",
    )
    total_rows = models.PositiveIntegerField(
        default=0, help_text="Rows in the file (an estimate until the file has been read)."
    )
    rows_processed = models.PositiveIntegerField(
        default=0, help_text="Rows read so far in the current step (progress)."
    )
    created = models.PositiveIntegerField(default=0, help_text="Records created (or would be).")
    updated = models.PositiveIntegerField(default=0, help_text="Records updated (or would be).")
    unchanged = models.PositiveIntegerField(
        default=0, help_text="Rows that matched a record already the same."
    )
    skipped_unknown = models.PositiveIntegerField(
        default=0, help_text="Rows skipped because their CRN is not a person of this service."
    )
    error_count = models.PositiveIntegerField(
        default=0, help_text="Errors found; any error means nothing changed."
    )
    report = models.JSONField(
        default=dict,
        blank=True,
        help_text="The first 1,000 errors and unknown CRNs (row, column, value, expected), "
        "columns ignored, and any failure message.",
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["service", "kind", "checksum"])]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.get_kind_display()} ({self.file_name})"

    @property
    def source_ref(self) -> str:
        """What imported records carry in ``source_ref`` to point back at this import."""
        return f"import:{self.pk}"

    @property
    def running(self) -> bool:
        return self.status in RUNNING


class EteNeedAssessment(models.Model):
    """An OASys assessment's answer on education, training and employment (ETE) need."""

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="ete_assessments",
        db_index=False,  # served by ete_assessment_once_a_day (participant, assessed_on)
        help_text="The person assessed.",
    )
    assessed_on = models.DateField(help_text="The date of the OASys assessment.")
    ete_need = models.BooleanField(help_text="Whether OASys found an ETE need.")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The OASys ETE section score, if given."
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The import that last wrote this assessment.",
    )

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "assessed_on"], name="ete_assessment_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"OASys ETE need on {self.assessed_on:%d %b %Y}: {'yes' if self.ete_need else 'no'}"


class CohortMembership(models.Model):
    """A person's place in a cohort (for example IOM), from the cohort list."""

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="cohort_memberships",
        db_index=False,  # served by cohort_membership_once (participant, cohort, ...)
        help_text="The person in the cohort.",
    )
    cohort = models.CharField(
        max_length=80, help_text="The cohort's name as the list gives it, in upper case (IOM)."
    )
    joined_on = models.DateField(help_text="When the person joined the cohort.")
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The import that last wrote this membership.",
    )

    class Meta:
        ordering = ["cohort", "-joined_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "cohort", "joined_on"], name="cohort_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort} from {self.joined_on:%d %b %Y}"
