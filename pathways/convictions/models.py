"""A person's convictions and cautions, and their sentences.

When a conviction is spent follows from all of the person's convictions (ROA s.6(4)), so
``services.recompute_spent`` stores the calculator's answer on every conviction of the
person whenever one is recorded: ``spent_on`` (empty: never, or indefinite, as
``spent_state`` says) and ``filtered_from`` (from when a spent one no longer shows on a
standard or enhanced check; empty: always shows). Lists then filter in the database.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from pathways.rehabilitation.calculator import INDEFINITE, NEVER, Length, Spent
from pathways.rehabilitation.calculator import Conviction as Facts
from pathways.rehabilitation.calculator import Sentence as SentenceFacts
from pathways.rehabilitation.rules import RULES


class Source(models.TextChoices):
    HAND = "hand", "Entered by hand"
    IMPORT = "import", "Probation extract"


class SpentState(models.TextChoices):
    DATE = "date", "Spent on a date"
    NEVER = NEVER, "Never spent"
    INDEFINITE = INDEFINITE, "Not spent until the order ends"


SentenceType = models.TextChoices(  # type: ignore[call-overload]
    "SentenceType", [(key.upper(), (key, rule.label)) for key, rule in RULES.items()]
)


class LengthUnit(models.TextChoices):
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    YEARS = "years", "years"


class Conviction(models.Model):
    """A conviction or caution of a person (the date is the conviction or caution date)."""

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        related_name="convictions",
        db_index=False,  # served by the index on (participant, convicted_on)
        help_text="The person convicted or cautioned.",
    )
    convicted_on = models.DateField(help_text="The date of conviction, or of the caution.")
    caution = models.BooleanField(default=False, help_text="A caution, not a conviction.")
    offence = models.CharField(max_length=200, blank=True, help_text="The offence, as recorded.")
    offence_category = models.ForeignKey(
        "employers.OffenceCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The offence category employers may exclude.",
    )
    specified_offence = models.BooleanField(
        default=False,
        help_text="A specified (listed) offence: never filtered from standard or enhanced checks.",
    )
    source = models.CharField(max_length=8, choices=Source.choices, help_text="Hand or extract.")
    source_ref = models.CharField(
        max_length=64, blank=True, help_text="For imported rows: the import they came from."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered it (empty for imported rows).",
    )
    recorded_at = models.DateTimeField(help_text="When it was recorded.")
    spent_state = models.CharField(
        max_length=12,
        choices=SpentState.choices,
        default=SpentState.DATE,
        help_text="Derived by the calculator from all the person's convictions.",
    )
    spent_on = models.DateField(
        null=True, blank=True, help_text="Derived: the first day it is spent."
    )
    filtered_from = models.DateField(
        null=True,
        blank=True,
        help_text="Derived: from when a spent one no longer shows on standard and enhanced "
        "checks (empty: it always shows).",
    )

    class Meta:
        ordering = ["-convicted_on", "-id"]
        indexes = [models.Index(fields=["participant", "convicted_on"])]

    def __str__(self) -> str:
        return f"{'Caution' if self.caution else 'Conviction'} of {self.convicted_on}"

    @property
    def spent(self) -> Spent:
        if self.spent_state == SpentState.DATE and self.spent_on is not None:
            return self.spent_on
        return NEVER if self.spent_state == SpentState.NEVER else INDEFINITE

    def is_spent(self, today: dt.date) -> bool:
        return self.spent_on is not None and self.spent_on <= today

    def facts(self, date_of_birth: dt.date) -> Facts:
        """The plain data the calculator reads (under 18 from the date of birth)."""
        eighteenth = _birthday(date_of_birth, 18)
        return Facts(
            date=self.convicted_on,
            under_18=self.convicted_on < eighteenth,
            caution=self.caution,
            sentences=tuple(s.facts() for s in self.sentences.all()),
        )


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February: the birthday is 1 March in other years
        return dt.date(born.year + years, 3, 1)


class Sentence(models.Model):
    """One sentence, order or disposal given for a conviction (or the caution itself)."""

    conviction = models.ForeignKey(
        Conviction, on_delete=models.CASCADE, related_name="sentences", help_text="Its conviction."
    )
    type = models.CharField(max_length=40, choices=SentenceType.choices, help_text="The type.")
    length = models.PositiveIntegerField(null=True, blank=True, help_text="Its length, if any.")
    length_unit = models.CharField(
        max_length=8, choices=LengthUnit.choices, blank=True, help_text="The unit of the length."
    )
    schedule_18 = models.BooleanField(
        default=False, help_text="For an offence in Schedule 18 to the Sentencing Code."
    )
    endorsement = models.BooleanField(default=False, help_text="A motoring endorsement.")
    ends_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the order or conditions end, or compensation was paid in full.",
    )
    until_further_order = models.BooleanField(
        default=False, help_text="An order until further order."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_type_display()

    def facts(self) -> SentenceFacts:
        return SentenceFacts(
            type=self.type,
            length=Length(self.length_unit, self.length) if self.length else None,
            schedule_18=self.schedule_18,
            endorsement=self.endorsement,
            conditions_end=self.ends_on,
            until_further_order=self.until_further_order,
        )
