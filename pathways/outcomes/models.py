"""Outcomes: the person's orders and proven offences (for measures 7 and 8), and targets.

Orders and offences are facts about the person, not about one episode. They are entered
by hand or come from a probation extract (``source``); both kinds are kept, side by side,
so that a disagreement between them shows rather than being silently resolved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pathways.referrals.models import OrderType


class Source(models.TextChoices):
    HAND = "hand", "Entered by hand"
    IMPORT = "import", "Probation extract"


class Termination(models.TextChoices):
    COMPLETED = "completed", "Completed successfully"
    BREACH = "breach", "Terminated: breach"
    NEW_OFFENCE = "new_offence", "Terminated: new offence"
    REVOKED = "revoked", "Revoked"
    OTHER = "other", "Ended for another reason"


class ProvenBy(models.TextChoices):
    CONVICTION = "conviction", "Court conviction"
    CAUTION = "caution", "Caution"


class OffenceGroup(models.TextChoices):
    """Ministry of Justice offence groups, as used in proven-reoffending statistics."""

    VIOLENCE = "violence", "Violence against the person"
    SEXUAL = "sexual", "Sexual offences"
    ROBBERY = "robbery", "Robbery"
    THEFT = "theft", "Theft offences"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage and arson"
    DRUGS = "drugs", "Drug offences"
    WEAPONS = "weapons", "Possession of weapons"
    PUBLIC_ORDER = "public_order", "Public order offences"
    SOCIETY = "society", "Miscellaneous crimes against society"
    FRAUD = "fraud", "Fraud offences"
    SUMMARY_MOTORING = "summary_motoring", "Summary motoring"
    SUMMARY_OTHER = "summary_other", "Summary non-motoring"
    OTHER = "other", "Other"


class Order(models.Model):
    """A court order or licence the person is supervised on, and how it ended."""

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # served by the index on (participant, start_date)
        help_text="The person on the order.",
    )
    order_type = models.CharField(
        max_length=32, choices=OrderType.choices, help_text="The kind of order or licence."
    )
    start_date = models.DateField(help_text="When the order or licence started.")
    expected_end_date = models.DateField(null=True, blank=True, help_text="When it is due to end.")
    actual_end_date = models.DateField(
        null=True, blank=True, help_text="When it ended (blank while it runs)."
    )
    termination = models.CharField(
        max_length=16,
        choices=Termination.choices,
        blank=True,
        help_text="How it ended: completed successfully, or terminated and why.",
    )
    source = models.CharField(
        max_length=8, choices=Source.choices, help_text="Entered by hand, or from an extract."
    )
    source_ref = models.CharField(
        max_length=64, blank=True, help_text="For imported facts: the import they came from."
    )
    note = models.TextField(blank=True, help_text="Anything worth knowing about the order.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered it (empty for imported facts).",
    )
    recorded_at = models.DateTimeField(help_text="When it was recorded.")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["participant", "start_date"]),
            # Measure 7 counts orders by the day they ended.
            models.Index(fields=["actual_end_date"], name="order_ended"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actual_end_date__isnull=True)
                | models.Q(actual_end_date__gte=models.F("start_date")),
                name="order_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end_date__isnull=True, termination="")
                | (models.Q(actual_end_date__isnull=False) & ~models.Q(termination="")),
                name="order_end_has_termination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()} from {self.start_date:%d %b %Y}"

    @property
    def completed_successfully(self) -> bool:
        return self.termination == Termination.COMPLETED


class ProvenOffence(models.Model):
    """An offence proven by a court conviction or a caution."""

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="proven_offences",
        db_index=False,  # served by the index on (participant, committed_on)
        help_text="The person who committed it.",
    )
    committed_on = models.DateField(help_text="When the offence was committed.")
    proven_on = models.DateField(help_text="When it was proven (conviction or caution date).")
    proven_by = models.CharField(
        max_length=16, choices=ProvenBy.choices, help_text="Conviction or caution."
    )
    category = models.CharField(
        max_length=24, choices=OffenceGroup.choices, help_text="The offence group."
    )
    disposal = models.CharField(
        max_length=200, blank=True, help_text="The sentence or disposal, as recorded."
    )
    source = models.CharField(
        max_length=8, choices=Source.choices, help_text="Entered by hand, or from an extract."
    )
    source_ref = models.CharField(
        max_length=64, blank=True, help_text="For imported facts: the import they came from."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered it (empty for imported facts).",
    )
    recorded_at = models.DateTimeField(help_text="When it was recorded.")

    class Meta:
        ordering = ["-committed_on", "-id"]
        indexes = [models.Index(fields=["participant", "committed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proven_on__gte=models.F("committed_on")),
                name="offence_proven_after_committed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on {self.committed_on:%d %b %Y}"


class TargetKind(models.TextChoices):
    INTERMEDIATE = "intermediate", "Intermediate"
    LONG_TERM = "long_term", "Long-term"


class Target(models.Model):
    """A target for one measure in one period, agreed with the provider."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="targets",
        db_index=False,  # served by one_target_per_measure_period_kind (service, ...)
        help_text="The service the target is for.",
    )
    measure_key = models.CharField(max_length=64, help_text="The measure (its registry key).")
    period_start = models.DateField(help_text="First day of the period the target is for.")
    period_end = models.DateField(help_text="Last day of the period the target is for.")
    kind = models.CharField(
        max_length=16, choices=TargetKind.choices, help_text="Intermediate or long-term."
    )
    value = models.DecimalField(
        max_digits=10, decimal_places=1, help_text="The figure to reach (or not to exceed)."
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who set the target.",
    )
    set_at = models.DateTimeField(help_text="When it was set or last changed.")

    class Meta:
        ordering = ["measure_key", "period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "measure_key", "period_start", "period_end", "kind"],
                name="one_target_per_measure_period_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="target_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_key} {self.period_start}:{self.period_end} {self.kind}"


class TargetTolerance(models.Model):
    """How far below target a figure may be and still show amber, per service."""

    service = models.OneToOneField(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="target_tolerance",
        help_text="The service.",
    )
    percent = models.PositiveSmallIntegerField(
        default=10,
        help_text="Within this percentage of the target (on the wrong side) is amber; "
        "further is red.",
    )

    def __str__(self) -> str:
        return f"{self.percent}% for {self.service_id}"


def default_headline_orders() -> list[str]:
    return [OrderType.COMMUNITY_ORDER]


class OrderMeasureSetting(models.Model):
    """Which order types measure 7's headline counts, per service (the decision: community
    orders). No row: community orders alone. The other community sentences are shown by
    type beside the headline either way."""

    service = models.OneToOneField(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="order_measure_setting",
        help_text="The service.",
    )
    headline_order_types = models.JSONField(
        default=default_headline_orders,
        help_text="The order types (codes of OrderType) measure 7's headline counts.",
    )

    def __str__(self) -> str:
        return f"Measure 7 headline for {self.service_id}: {self.headline_order_types}"


class PeriodSnapshot(models.Model):
    """A service's figures for one named period (contract year, half-year or quarter),
    kept as they stood before records were deleted under the retention schedule, so that
    a closed period's figures do not change after a purge. Taken once, never changed
    (``outcomes.snapshots``); aggregate figures only, naming no one."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="period_snapshots",
        db_index=False,  # served by one_snapshot_per_service_period (service, ...)
        help_text="The service the figures are for.",
    )
    period_start = models.DateField(help_text="First day of the period.")
    period_end = models.DateField(help_text="Last day of the period.")
    taken_at = models.DateTimeField(help_text="When the figures were frozen.")
    as_of = models.DateField(
        help_text="The day the figures were counted as at (the day they were frozen); the "
        "figures for the RR Board report are also kept as at the period's last day."
    )
    why = models.CharField(
        max_length=200, help_text="Why the figures were frozen (e.g. before a retention purge)."
    )
    figures = models.JSONField(
        help_text="Every measure's figure (value, numerator, denominator, breakdown, note) "
        "and the RR Board report's figures counted from people's and employers' records."
    )

    class Meta:
        ordering = ["service", "period_start", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period_start", "period_end"],
                name="one_snapshot_per_service_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="snapshot_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of {self.period_start}:{self.period_end} frozen {self.as_of}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Taken once: a snapshot is never changed."""
        if not self._state.adding:
            raise ValueError("A period snapshot is never changed once taken.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class _Kept(models.Model):
    """What kept figures hold besides whose they are: the named period that has ended, when
    its figures were counted (as at its last day), and in which shape."""

    period_start = models.DateField(help_text="First day of the period.")
    period_end = models.DateField(
        help_text="Last day of the period: the day the figures are counted as at."
    )
    counted_at = models.DateTimeField(help_text="When the figures were counted.")
    version = models.PositiveSmallIntegerField(
        help_text="The shape of the figures (outcomes.figures.FIGURES_VERSION) when counted."
    )

    class Meta:
        abstract = True


class KeptFigures(_Kept):
    """A service's figures for one named period (contract year, half-year or quarter) that
    has ended, counted once as at the period's last day and kept, so the pages read them
    instead of counting them again (``outcomes.kept``). Counted again when the shape of the
    figures changes (``version``) and by the nightly recount, which replaces them when a
    correction changed them. Aggregate figures only, naming no one."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="kept_figures",
        db_index=False,  # served by one_kept_figures_per_service_period (service, ...)
        help_text="The service the figures are for.",
    )
    figures = models.JSONField(
        help_text="Every measure's figure as at the period's last day (value, numerator, "
        "denominator, breakdown, note) and the RR Board report's figures counted from "
        "people's and employers' records, as raw counts."
    )

    class Meta:
        verbose_name_plural = "kept figures"
        ordering = ["service", "period_start", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "period_start", "period_end"],
                name="one_kept_figures_per_service_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="kept_figures_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of {self.period_start}:{self.period_end} kept {self.counted_at:%Y-%m-%d}"


class KeptTotal(_Kept):
    """The total of several services counted together (each person once, however many of
    them they were in: ``outcomes.measures.Services``) for one named period that has ended,
    counted once as at the period's last day and kept, like a service's ``KeptFigures``
    (``outcomes.kept``). Kept only for a set of services someone has looked at together.
    The measures only: a total has no RR Board report. Aggregate figures only, naming no
    one.

    The set is named by its ids (``members``, in ascending order) and found by a hash of
    them (``members_key``), the same whatever order the services were given in: one
    insert keeps a total, so the unique constraint alone settles two requests that miss at
    once, and the set needs no table of its own."""

    members_key = models.CharField(
        max_length=64,
        help_text="SHA-256 (hex) of the member services' ids in ascending order, joined by "
        "commas: the set, whatever order it was given in.",
    )
    members = models.JSONField(
        help_text="The ids of the services counted together, in ascending order."
    )
    figures = models.JSONField(
        help_text="Every measure's figure for the services together as at the period's last "
        "day (value, numerator, denominator, breakdown, note)."
    )

    class Meta:
        ordering = ["period_start", "period_end", "members_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["members_key", "period_start", "period_end"],
                name="one_kept_total_per_services_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="kept_total_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Total of {len(self.members)} services, {self.period_start}:{self.period_end} "
            f"kept {self.counted_at:%Y-%m-%d}"
        )
