"""Pathway plans (goals, steps, reviews) and distance travelled (instruments, readings).

A plan belongs to one episode of support (a referral, see decision 0001). Nothing here is
deleted: goals are achieved or withdrawn, steps are done or no longer needed, and the
status of each follows from those dated facts: ``GOAL_RULES`` and ``STEP_RULES``
(core.status.StatusRules), applied to a row by ``status`` and in the database by
``with_status`` / ``in_status``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathways.core.status import StatusRules, tag_colours

# Until the initial review is recorded, it is due this many days after support starts.
INITIAL_REVIEW_DAYS = 14


class GoalArea(models.TextChoices):
    QUALIFICATIONS = "qualifications", "Qualifications"
    WORK_EXPERIENCE = "work_experience", "Work experience"
    JOB_SEARCH = "job_search", "Job search"
    STABILITY = "stability", "Stability (housing, money, health)"
    BASIC_SKILLS = "basic_skills", "Basic skills (English, maths, digital)"
    OTHER = "other", "Other"


class GoalStatus(models.TextChoices):
    OPEN = "open", "Working towards"
    ACHIEVED = "achieved", "Achieved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


# Read first to last: the first rule whose facts hold gives the status.
GOAL_RULES = StatusRules(
    [
        (GoalStatus.ACHIEVED, Q(achieved_on__isnull=False), lambda g: g.achieved_on is not None),
        (
            GoalStatus.WITHDRAWN,
            Q(withdrawn_on__isnull=False),
            lambda g: g.withdrawn_on is not None,
        ),
    ],
    GoalStatus.OPEN,
)
STEP_RULES = StatusRules(
    [
        (StepStatus.DONE, Q(done_on__isnull=False), lambda s: s.done_on is not None),
        (
            StepStatus.NO_LONGER_NEEDED,
            Q(dropped_on__isnull=False),
            lambda s: s.dropped_on is not None,
        ),
        (StepStatus.IN_PROGRESS, Q(started_on__isnull=False), lambda s: s.started_on is not None),
    ],
    StepStatus.NOT_STARTED,
)
tag_colours(
    GoalStatus,
    {GoalStatus.OPEN: "blue", GoalStatus.ACHIEVED: "green", GoalStatus.WITHDRAWN: "grey"},
    model="plans.Goal",
)
tag_colours(
    StepStatus,
    {
        StepStatus.NOT_STARTED: "grey",
        StepStatus.IN_PROGRESS: "blue",
        StepStatus.DONE: "green",
        StepStatus.NO_LONGER_NEEDED: "grey",
    },
    model="plans.Step",
)


class GoalQuerySet(models.QuerySet["Goal"]):
    def with_status(self) -> GoalQuerySet:
        return self.annotate(status_code=GOAL_RULES.annotation())

    def in_status(self, *statuses: GoalStatus) -> GoalQuerySet:
        return self.filter(GOAL_RULES.any_of(statuses))


class StepQuerySet(models.QuerySet["Step"]):
    def with_status(self) -> StepQuerySet:
        return self.annotate(status_code=STEP_RULES.annotation())

    def in_status(self, *statuses: StepStatus) -> StepQuerySet:
        return self.filter(STEP_RULES.any_of(statuses))


class ReviewReason(models.TextChoices):
    INITIAL = "initial", "Initial review"
    SCHEDULED = "scheduled", "Scheduled review"
    CHANGE = "change", "Change of circumstances"
    NEW_INFORMATION = "new_information", "New information"
    REALLOCATION = "reallocation", "Reallocation to another worker"


class ReadingKind(models.TextChoices):
    INTAKE = "intake", "Intake"
    REVIEW = "review", "Review"
    EXIT = "exit", "Exit"


class PathwayPlan(models.Model):
    """The ETE pathway plan of one episode of support."""

    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="plan",
        help_text="The episode of support the plan belongs to.",
    )
    created_at = models.DateTimeField(help_text="When the plan was started.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who started the plan.",
    )

    def __str__(self) -> str:
        return f"Pathway plan of referral {self.referral_id}"


class Goal(models.Model):
    """A realistic goal of the plan, with ordered steps towards it."""

    plan = models.ForeignKey(
        PathwayPlan, on_delete=models.PROTECT, related_name="goals", help_text="The plan."
    )
    title = models.CharField(max_length=200, help_text="The goal in the participant's words.")
    area = models.CharField(
        max_length=32, choices=GoalArea.choices, help_text="The kind of goal, for reporting."
    )
    target_date = models.DateField(help_text="When the goal should be reached.")
    created_at = models.DateTimeField(help_text="When the goal was added.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who added the goal.",
    )
    achieved_on = models.DateField(null=True, blank=True, help_text="When it was achieved.")
    withdrawn_on = models.DateField(null=True, blank=True, help_text="When it was withdrawn.")
    withdrawn_reason = models.TextField(blank=True, help_text="Why the goal was withdrawn.")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded the goal as achieved or withdrawn.",
    )

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> GoalStatus:
        return GOAL_RULES.of(self)

    @property
    def is_open(self) -> bool:
        return self.status == GoalStatus.OPEN


class Step(models.Model):
    """One step towards a goal, in order."""

    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        related_name="steps",
        db_index=False,  # served by step_position_unique (goal, position)
        help_text="The goal.",
    )
    position = models.PositiveIntegerField(help_text="The step's place in the goal's order.")
    description = models.CharField(max_length=300, help_text="What is to be done.")
    created_at = models.DateTimeField(help_text="When the step was added.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who added the step.",
    )
    started_on = models.DateField(null=True, blank=True, help_text="When work on it started.")
    done_on = models.DateField(null=True, blank=True, help_text="When it was done.")
    dropped_on = models.DateField(
        null=True, blank=True, help_text="When it was found to be no longer needed."
    )
    dropped_reason = models.TextField(blank=True, help_text="Why it is no longer needed.")

    objects = StepQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "position"], name="step_position_unique")
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def status(self) -> StepStatus:
        return STEP_RULES.of(self)


class PlanReview(models.Model):
    """A review of the plan: why, what changed, and when the next is due."""

    plan = models.ForeignKey(
        PathwayPlan, on_delete=models.PROTECT, related_name="reviews", help_text="The plan."
    )
    reviewed_on = models.DateField(help_text="The date of the review.")
    reason = models.CharField(
        max_length=32, choices=ReviewReason.choices, help_text="Why the plan was reviewed."
    )
    what_changed = models.TextField(help_text="What changed in the plan and why.")
    next_review_due = models.DateField(help_text="When the next review is due.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the review.",
    )
    created_at = models.DateTimeField(help_text="When the review was recorded.")

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.reviewed_on:%d %b %Y}"


class Instrument(models.Model):
    """A distance-travelled tool: areas each scored on one numbered scale.

    Licensed tools (Work Star, Rickter Scale) are added as configuration: their area names
    and scores only, never their copyrighted descriptors.
    """

    name = models.CharField(max_length=120, unique=True, help_text="The tool's name.")
    scale_min = models.SmallIntegerField(help_text="The lowest score of every area.")
    scale_max = models.SmallIntegerField(help_text="The highest score of every area.")
    notes = models.TextField(
        blank=True, help_text="What the tool is and who may use it (licence terms, if any)."
    )
    retired_at = models.DateField(
        null=True, blank=True, help_text="From this date the tool is no longer offered."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="instrument_scale_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def band_for(self, score: int) -> str:
        for band in self.bands.all():
            if band.lowest <= score <= band.highest:
                return band.label
        return ""


class InstrumentArea(models.Model):
    """One area an instrument scores (for example, job-search skills)."""

    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="areas",
        db_index=False,  # served by area_name_unique (instrument, name)
        help_text="The tool.",
    )
    name = models.CharField(max_length=120, help_text="The area's name.")
    order = models.PositiveIntegerField(default=0, help_text="Position on forms and charts.")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "name"], name="area_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class InstrumentBand(models.Model):
    """An optional stage band: a label for a range of scores (for example 'Getting ready')."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="bands", help_text="The tool."
    )
    label = models.CharField(max_length=80, help_text="The stage's name.")
    lowest = models.SmallIntegerField(help_text="The lowest score in the band.")
    highest = models.SmallIntegerField(help_text="The highest score in the band.")

    class Meta:
        ordering = ["lowest"]

    def __str__(self) -> str:
        return f"{self.label} ({self.lowest}-{self.highest})"


class Reading(models.Model):
    """One assessment with an instrument: a score for every area, on one date."""

    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="readings",
        db_index=False,  # served by the index on (referral, instrument, taken_on, id)
        help_text="The episode of support it was taken in.",
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", help_text="The tool used."
    )
    taken_on = models.DateField(help_text="When the assessment was done.")
    kind = models.CharField(
        max_length=16, choices=ReadingKind.choices, help_text="Intake, review or exit."
    )
    note = models.TextField(blank=True, help_text="Anything worth knowing about the reading.")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who took the reading.",
    )
    created_at = models.DateTimeField(help_text="When it was recorded.")
    # Kept for the distance-travelled figures, so that they read a column, not the scores:
    # set with the scores by ``services.reading_record`` (the one service that records
    # readings); ``manage.py rebuild_reading_totals`` works them out again from the scores.
    # None where not yet worked out (a row written around the service): the figures then
    # sum the scores (``selectors.counted_episodes``).
    total = models.IntegerField(
        null=True, blank=True, editable=False, help_text="The sum of its scores."
    )
    span = models.IntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="How far its total can move: the areas scored times the scale's width.",
    )

    class Meta:
        ordering = ["taken_on", "id"]
        # First and latest reading of an episode with one instrument, in date order.
        indexes = [models.Index(fields=["referral", "instrument", "taken_on", "id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reading on {self.taken_on:%d %b %Y}"


class ReadingScore(models.Model):
    """The score of one area in one reading."""

    reading = models.ForeignKey(
        Reading,
        on_delete=models.PROTECT,
        related_name="scores",
        db_index=False,  # served by one_score_per_area (reading, area)
        help_text="The reading.",
    )
    area = models.ForeignKey(
        InstrumentArea, on_delete=models.PROTECT, related_name="+", help_text="The area scored."
    )
    score = models.SmallIntegerField(help_text="The score, within the instrument's scale.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reading", "area"], name="one_score_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.score}"


def review_due_on(started: datetime.datetime | None) -> datetime.date | None:
    """When the initial review falls due, for a plan with no review yet."""
    if started is None:
        return None
    return timezone.localdate(started) + datetime.timedelta(days=INITIAL_REVIEW_DAYS)
