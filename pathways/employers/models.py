"""Employers and training providers, their contacts, the engagement log, and the
opportunities (training placements, work placements, job vacancies) they offer.

Employers are shared across a service; each has an owning worker. An opportunity's status
is never stored: it follows from dated facts (status.py) and the places taken, which
placements own (placements/opportunities.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReferenceItem(models.Model):
    """Reference data: a coded item shown in a fixed order. Retired, never deleted."""

    code = models.SlugField(max_length=60, unique=True, help_text="A stable code for reports.")
    label = models.CharField(max_length=120, help_text="The item as a user reads it.")
    order = models.PositiveIntegerField(default=0, help_text="Position in lists.")
    retired_at = models.DateField(
        null=True, blank=True, help_text="From this date the item is no longer offered."
    )

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class Sector(ReferenceItem):
    """An industry sector: construction first, then its supply chain, then others."""


class RequirementKind(models.TextChoices):
    CARD = "card", "Card"
    LICENCE = "licence", "Licence"
    QUALIFICATION = "qualification", "Qualification"


class Requirement(ReferenceItem):
    """A card, licence or qualification an opportunity may require and a person may hold."""

    kind = models.CharField(
        max_length=16, choices=RequirementKind.choices, help_text="Card, licence or qualification."
    )


class OffenceCategory(ReferenceItem):
    """A category of offence an employer may exclude, recorded on a person's work profile."""

    class Meta(ReferenceItem.Meta):
        verbose_name_plural = "offence categories"


class EmployerKind(models.TextChoices):
    EMPLOYER = "employer", "Employer"
    TRAINING_PROVIDER = "training_provider", "Training provider"


class EmployerSize(models.TextChoices):
    MICRO = "micro", "Micro (fewer than 10 staff)"
    SMALL = "small", "Small (10 to 49 staff)"
    MEDIUM = "medium", "Medium (50 to 249 staff)"
    LARGE = "large", "Large (250 staff or more)"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class Employer(models.Model):
    """An organisation that offers training or work placements or jobs. A record, not a user."""

    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.PROTECT,
        related_name="employers",
        db_index=False,  # served by employer_service_name (service, name)
        help_text="The service whose workers engage this employer (shared across it).",
    )
    name = models.CharField(max_length=160, help_text="The organisation's trading name.")
    kind = models.CharField(
        max_length=24,
        choices=EmployerKind.choices,
        default=EmployerKind.EMPLOYER,
        help_text="Whether it is an employer or a training provider.",
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="+", help_text="Its main sector."
    )
    patch = models.ForeignKey(
        "accounts.Patch",
        on_delete=models.PROTECT,
        related_name="employers",
        help_text="The patch it is in.",
    )
    address = models.TextField(blank=True, help_text="Postal address of the site used.")
    size = models.CharField(
        max_length=16, choices=EmployerSize.choices, help_text="How many staff it has."
    )
    employs_people_with_convictions = models.CharField(
        max_length=8,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
        help_text="Whether it already employs people with convictions.",
    )
    disclosure_practice = models.TextField(
        blank=True,
        help_text="How it asks about convictions and uses DBS checks (e.g. after offer only).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="employers_owned",
        help_text="The support worker who owns the relationship.",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded it.",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["service", "name"], name="employer_service_name")]

    def __str__(self) -> str:
        return self.name


class EmployerContact(models.Model):
    """A person to speak to at an employer."""

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="contacts", help_text="The employer."
    )
    name = models.CharField(max_length=120, help_text="The contact's name.")
    role = models.CharField(max_length=120, blank=True, help_text="Their job title or role.")
    phone = models.CharField(max_length=32, blank=True, help_text="Phone number.")
    email = models.EmailField(blank=True, help_text="Email address.")
    added_at = models.DateTimeField(default=timezone.now, help_text="When it was added.")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    """One entry of an employer's engagement log: what happened and what comes next."""

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="engagements", help_text="The employer."
    )
    on = models.DateField(help_text="When it happened.")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The worker who engaged the employer.",
    )
    what_happened = models.TextField(help_text="What happened (visit, call, meeting, event).")
    next_step = models.TextField(blank=True, help_text="The agreed next step, if any.")
    next_step_by = models.DateField(null=True, blank=True, help_text="When the next step is due.")
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded.")

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"Engagement {self.pk} with employer {self.employer_id}"


class OpportunityKind(models.TextChoices):
    TRAINING = "training", "Training placement"
    WORK = "work", "Work placement"
    JOB = "job", "Job vacancy"


class DbsLevel(models.TextChoices):
    NONE = "none", "None"
    BASIC = "basic", "Basic"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"


class ExclusionPolicy(models.TextChoices):
    NONE = "none", "No offence exclusions"
    CASE_BY_CASE = "case_by_case", "Case by case"
    CATEGORIES = "categories", "Excludes some offence categories"


class Opportunity(models.Model):
    """A training placement, work placement or job vacancy offered by an employer."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text="The employer or training provider offering it.",
    )
    kind = models.CharField(
        max_length=16,
        choices=OpportunityKind.choices,
        help_text="Training placement, work placement or job vacancy (measures count by kind).",
    )
    title = models.CharField(max_length=160, help_text="What the opportunity is called.")
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="+", help_text="The sector of the work."
    )
    places_available = models.PositiveIntegerField(
        help_text="How many people it can take; never overbooked."
    )
    patch = models.ForeignKey(
        "accounts.Patch",
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text="The patch where it takes place (matching uses it).",
    )
    location = models.CharField(max_length=200, help_text="Where it takes place.")
    start_date = models.DateField(null=True, blank=True, help_text="When it starts, if fixed.")
    closing_date = models.DateField(
        null=True, blank=True, help_text="The last day to put people forward; empty if rolling."
    )
    hours = models.CharField(max_length=120, blank=True, help_text="Hours of work, if relevant.")
    pay = models.CharField(max_length=120, blank=True, help_text="Pay, if relevant.")
    requirements = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="+",
        help_text="Essential cards, licences and qualifications.",
    )
    dbs_level = models.CharField(
        max_length=16,
        choices=DbsLevel.choices,
        default=DbsLevel.NONE,
        help_text="The DBS check the employer asks for.",
    )
    exclusion_policy = models.CharField(
        max_length=16,
        choices=ExclusionPolicy.choices,
        default=ExclusionPolicy.NONE,
        help_text="Whether the employer excludes people with some offences.",
    )
    excluded_categories = models.ManyToManyField(
        OffenceCategory,
        blank=True,
        related_name="+",
        help_text="The offence categories excluded (when the policy is by category).",
    )
    exclusion_details = models.TextField(
        blank=True, help_text="Details of the exclusions (needed for 'Other')."
    )
    created_at = models.DateTimeField(
        default=timezone.now, help_text="When it was created ('placements created' counts this)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who created it.",
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker closed it early, if they did."
    )

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(places_available__gte=1), name="opportunity_has_places"
            )
        ]
        indexes = [models.Index(fields=["created_at", "kind"], name="opportunity_created")]

    def __str__(self) -> str:
        return self.title
