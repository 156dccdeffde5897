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


# Equality monitoring (docs/measures.md, "Equality monitoring"). Stored apart from the case
# record: only workers and the manager see a person's answers; everyone else sees counts.
# Each answer is optional: "" means not asked or not answered yet, PREFER_NOT is an answer.

PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class YesNo(models.TextChoices):
    """The answer to a yes-or-no question (gender as at birth, disability)."""

    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class EthnicGroup(models.TextChoices):
    """The five high-level groups of the GSS harmonised ethnicity standard (England)."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"


class Ethnicity(models.TextChoices):
    """The 19 detailed categories of the GSS harmonised ethnicity standard (England);
    each code starts with its group's code and a hyphen."""

    ASIAN_INDIAN = "asian-indian", "Indian"
    ASIAN_PAKISTANI = "asian-pakistani", "Pakistani"
    ASIAN_BANGLADESHI = "asian-bangladeshi", "Bangladeshi"
    ASIAN_CHINESE = "asian-chinese", "Chinese"
    ASIAN_OTHER = "asian-other", "Any other Asian background"
    BLACK_CARIBBEAN = "black-caribbean", "Caribbean"
    BLACK_AFRICAN = "black-african", "African"
    BLACK_OTHER = "black-other", "Any other Black, Black British or Caribbean background"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed-white-black-caribbean", "White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "mixed-white-black-african", "White and Black African"
    MIXED_WHITE_ASIAN = "mixed-white-asian", "White and Asian"
    MIXED_OTHER = "mixed-other", "Any other Mixed or multiple ethnic background"
    WHITE_BRITISH = "white-british", "English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white-irish", "Irish"
    WHITE_GYPSY_TRAVELLER = "white-gypsy-traveller", "Gypsy or Irish Traveller"
    WHITE_ROMA = "white-roma", "Roma"
    WHITE_OTHER = "white-other", "Any other White background"
    OTHER_ARAB = "other-arab", "Arab"
    OTHER_ANY = "other-any", "Any other ethnic group"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


def ethnic_group_of(code: str) -> str:
    """The high-level group of a detailed ethnicity code ("" when none, or prefer not)."""
    if not code or code == PREFER_NOT:
        return code
    return code.split("-", 1)[0]


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion or belief"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Other sexual orientation"
    PREFER_NOT = PREFER_NOT, PREFER_NOT_LABEL


class EqualityRecord(models.Model):
    """A person's answers to the equality monitoring questions, one record per person.

    Kept apart from the case record: it is shown to workers and the manager on its own page
    and reported only in aggregate. Age band is not stored: it follows from the date of
    birth on each referral's date.
    """

    participant = models.OneToOneField(
        Participant,
        on_delete=models.PROTECT,
        related_name="equality",
        help_text="The person these answers are about.",
    )
    sex = models.CharField(
        max_length=16,
        choices=Sex.choices,
        blank=True,
        help_text="Sex (Equality Act 2010); blank when not asked or not answered.",
    )
    gender_same_as_birth = models.CharField(
        max_length=16,
        choices=YesNo.choices,
        blank=True,
        help_text="Whether the person's gender identity is the same as the sex registered at "
        "their birth; blank when not asked or not answered.",
    )
    ethnicity = models.CharField(
        max_length=32,
        choices=Ethnicity.choices,
        blank=True,
        help_text="Detailed ethnicity, GSS harmonised standard for England (19 categories); "
        "the high-level group is derived from it. Blank when not asked or not answered.",
    )
    religion = models.CharField(
        max_length=16,
        choices=Religion.choices,
        blank=True,
        help_text="Religion or belief; blank when not asked or not answered.",
    )
    sexual_orientation = models.CharField(
        max_length=16,
        choices=SexualOrientation.choices,
        blank=True,
        help_text="Sexual orientation; blank when not asked or not answered.",
    )
    disability = models.CharField(
        max_length=16,
        choices=YesNo.choices,
        blank=True,
        help_text="Whether the person has a disability as the Equality Act 2010 defines it "
        "(a physical or mental condition with a substantial, long-term effect on day-to-day "
        "activities); blank when not asked or not answered.",
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
        return f"Equality monitoring of participant {self.participant_id}"

    @property
    def ethnic_group(self) -> str:
        return ethnic_group_of(self.ethnicity)
