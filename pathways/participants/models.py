"""The person supported by the service: identity, identifiers and how to reach them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "self_described", "Describes themselves another way"
    NOT_SAID = "not_said", "Prefer not to say"


class Location(models.TextChoices):
    COMMUNITY = "community", "In the community"
    CUSTODY = "custody", "In custody"


class Participant(models.Model):
    """A person referred to the service. Referrals (episodes) hang off the person."""

    first_name = models.CharField(max_length=80, help_text="Given name.")
    last_name = models.CharField(max_length=80, help_text="Family name.")
    date_of_birth = models.DateField(help_text="Date of birth; the service takes people 16+.")
    # NULL, not "", when unknown: the unique constraint must not treat two blanks as a clash.
    crn = models.CharField(  # noqa: DJ001
        max_length=7,
        null=True,
        blank=True,
        help_text="Probation case reference number: one letter and six digits (X123456).",
    )
    pnc_id = models.CharField(
        max_length=13,
        blank=True,
        help_text="Police National Computer id: year / serial and check letter.",
    )
    prison_number = models.CharField(
        max_length=7,
        blank=True,
        help_text="NOMIS prison number: a letter, four digits, two letters (A1234BC).",
    )
    gender = models.CharField(
        max_length=16, choices=Gender.choices, help_text="The person's gender, as they say it."
    )
    phone = models.CharField(max_length=32, blank=True, help_text="Phone number to reach them.")
    email = models.EmailField(blank=True, help_text="Email address to reach them.")
    address = models.TextField(blank=True, help_text="Postal address, if they have one.")
    area = models.ForeignKey(
        "accounts.Area",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The local authority area they live in; it decides the patch.",
    )
    location = models.CharField(
        max_length=16,
        choices=Location.choices,
        help_text="Whether they are in the community or in custody (ROTL).",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When first recorded.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who first recorded the person.",
    )
    processing_restricted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Since when processing is restricted (UK GDPR article 18): while set, "
        "nothing about the person can be changed or exported.",
    )
    processing_restricted_reason = models.TextField(
        blank=True, help_text="Why processing is restricted (for example, accuracy contested)."
    )
    processing_restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The manager who restricted processing.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["crn"], condition=models.Q(crn__isnull=False), name="participant_crn_unique"
            )
        ]
        indexes = [
            models.Index(Upper("last_name"), "date_of_birth", name="participant_name_dob"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class WorkProfile(models.Model):
    """What matching needs to know about a person: offence categories, work-relevant
    restrictions, sector interests, the cards, licences and qualifications they hold, and the
    patches they can travel to. One per person; prefilled from the referral where it can be.
    """

    participant = models.OneToOneField(
        Participant,
        on_delete=models.PROTECT,
        related_name="work_profile",
        help_text="The person.",
    )
    offence_categories = models.ManyToManyField(
        "employers.OffenceCategory",
        blank=True,
        related_name="+",
        help_text="Categories of the person's offences; employers' exclusions are checked "
        "against them.",
    )
    restrictions = models.JSONField(
        default=list,
        blank=True,
        help_text="Work-relevant restrictions (codes of referrals.RiskFlag), from the referral.",
    )
    restriction_notes = models.TextField(
        blank=True, help_text="More about restrictions an employer would need to know."
    )
    sectors = models.ManyToManyField(
        "employers.Sector",
        blank=True,
        related_name="+",
        help_text="Sectors the person wants to work in.",
    )
    holds = models.ManyToManyField(
        "employers.Requirement",
        blank=True,
        related_name="+",
        help_text="Cards, licences and qualifications the person holds.",
    )
    other_qualifications = models.TextField(
        blank=True, help_text="Other qualifications and experience, in the person's words."
    )
    travel_patches = models.ManyToManyField(
        "accounts.Patch",
        blank=True,
        related_name="+",
        help_text="Patches besides their own that the person can travel to for work.",
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="When last changed.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who last changed it.",
    )

    def __str__(self) -> str:
        return f"Work profile of participant {self.participant_id}"
