"""The figures counted from people's and employers' records that the RR Board report gives
beside the measures, as raw data: what a period snapshot freezes (``outcomes.snapshots``)
and what the report counts live for a period not frozen.

Raw means numbers only, keyed by stable keys (choice values, characteristic, category and
stage keys): no titles, captions, labels or formatted numbers. Equality counts are kept as
they may be published, disclosure-controlled (None for a count withheld), with the
threshold used (``outcomes.equality.published_counts``). ``reports.board`` turns them
into the report's sections, the same way whether they were counted now or frozen, so a
live report and a frozen one render alike. Money is not here: the contract's value and
payments are its own terms, not records a purge deletes, and are always read live; only the
starts the cost per outcome divides by are counted from records.

``FIGURES_VERSION`` is the shape of a snapshot's ``figures``; a snapshot stores it under
``"version"``. Version 1 (snapshots without a version) kept the report's sections as
formatted text, from which the raw counts cannot be recovered (disclosure control had
withheld some counts, averages were rounded): its measures are read as before, but its
other figures are refused (``frozen_record_figures``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from pathways.accounts.models import Service
from pathways.contacts.models import HAPPENED, Contact
from pathways.core.periods import Period
from pathways.employers.models import Engagement, Opportunity, OpportunityKind
from pathways.outcomes.equality import published_counts
from pathways.outcomes.models import PeriodSnapshot
from pathways.placements.models import Placement
from pathways.placements.selectors import (
    opportunities_created,
    placement_participant_counts,
    start_counts,
)
from pathways.plans.selectors import MOVEMENTS, default_instrument, distance_travelled
from pathways.referrals.models import Cohort, Referral, Source

# 1: the report's sections, formatted, under "board" (no "version" key).
# 2: raw counts under "records" (``record_figures``).
FIGURES_VERSION = 2

CHOICES = {"source": Source.choices, "cohort": Cohort.choices}


class FrozenFiguresUnreadable(ValueError):
    """A snapshot's figures are kept in a shape this version cannot read."""


def referral_counts(service: Service, period: Period, field: str) -> dict[str, int]:
    """Referrals received in the period by ``source`` or ``cohort``: {value: count}, every
    choice present (one aggregate query)."""
    counts = dict(
        Referral.objects.filter(service=service)
        .filter(period.q("received_at"))
        .order_by()
        .values_list(field)
        .annotate(n=Count("id"))
    )
    return {value: counts.get(value, 0) for value, _label in CHOICES[field]}


def distance_figures(service: Service, period: Period) -> dict[str, Any] | None:
    """Distance travelled with the default instrument (None when it is not in use): the
    episodes counted, how many moved up, stayed and moved down, and each area's averages."""
    instrument = default_instrument()
    if instrument is None:
        return None
    figures = distance_travelled(service, period.start, period.end, instrument)
    return {
        "instrument": instrument.name,
        "counted": figures.counted,
        **{key: getattr(figures, key) for key, _label in MOVEMENTS},
        "areas": [
            {
                "area": row.area,
                "average_start": row.average_start,
                "average_change": row.average_change,
            }
            for row in figures.areas
        ],
    }


# Construction first (the decision's ask): the sector groups the figures are given by, in
# order. Every sector other than construction and its supply chain is "other".
SECTOR_GROUPS: tuple[tuple[str, str], ...] = (
    ("construction", "Construction"),
    ("construction-supply", "Construction supply chain"),
    ("other", "Other sectors"),
)
# The sector figures, in order: (key, column heading).
SECTOR_COLUMNS: dict[str, str] = {
    "employers_engaged": "Employers engaged",
    "opportunities_created": "Opportunities created",
    "placements_started": "People starting a training or work placement",
    "job_starts": "People starting a job",
}
# Mentoring in the first stages of a placement: contacts that took place in its first
# four weeks (the start day and the 27 days after it).
EARLY_WEEKS = 4


def _sector_group(path: str) -> Case:
    """The sector group of the sector at ``path`` (a sector code lookup)."""
    return Case(
        *[
            When(**{f"{path}__code": code}, then=Value(code))
            for code, _label in SECTOR_GROUPS
            if code != "other"
        ],
        default=Value("other"),
        output_field=CharField(),
    )


def sector_figures(service: Service, period: Period) -> dict[str, dict[str, int]]:
    """By sector group (construction, its supply chain, other): employers engaged with
    (their main sector), opportunities created, people starting a training or work
    placement and people starting a job (the opportunity's sector) in the period. Three
    aggregate queries; each group present."""
    engaged = dict(
        Engagement.objects.filter(employer__service=service)
        .filter(period.q("on"))
        .annotate(group=_sector_group("employer__sector"))
        .order_by()
        .values_list("group")
        .annotate(n=Count("employer", distinct=True))
    )
    created = dict(
        Opportunity.objects.filter(employer__service=service)
        .filter(period.q("created_at"))
        .annotate(group=_sector_group("sector"))
        .order_by()
        .values_list("group")
        .annotate(n=Count("id"))
    )
    job = Q(opportunity__kind=OpportunityKind.JOB)
    started = {
        row["group"]: row
        for row in Placement.objects.filter(service=service)
        .filter(period.q("started_on"))
        .annotate(group=_sector_group("opportunity__sector"))
        .order_by()
        .values("group")
        .annotate(
            placements=Count("participant", filter=~job, distinct=True),
            jobs=Count("participant", filter=job, distinct=True),
        )
    }
    return {
        group: {
            "employers_engaged": engaged.get(group, 0),
            "opportunities_created": created.get(group, 0),
            "placements_started": started.get(group, {}).get("placements", 0),
            "job_starts": started.get(group, {}).get("jobs", 0),
        }
        for group, _label in SECTOR_GROUPS
    }


def mentoring_figures(service: Service, period: Period, as_of: datetime.date) -> dict[str, int]:
    """Mentoring in the first stages of a placement: of the placements (training, work
    placement or job) started in the period whose first four weeks had ended by ``as_of``,
    how many had a contact that took place in them, and how many such contacts there were;
    and how many placements started in the period were still in their first four weeks.
    One aggregate query."""
    window = datetime.timedelta(days=7 * EARLY_WEEKS)
    early = (
        Contact.objects.filter(HAPPENED, referral=OuterRef("referral"))
        .annotate(day=TruncDate("starts_at"))
        .filter(day__gte=OuterRef("started_on"), day__lt=OuterRef("window_end"), day__lte=as_of)
        .order_by()
        .values("referral")
        .annotate(n=Count("id"))
        .values("n")
    )
    placements = (
        Placement.objects.filter(service=service)
        .filter(period.q("started_on"), started_on__lte=as_of)
        .annotate(window_end=ExpressionWrapper(F("started_on") + window, output_field=DateField()))
        .annotate(early=Coalesce(Subquery(early, output_field=IntegerField()), 0))
    )
    # The four weeks have ended when their last day (the 27th after the start) is by as_of.
    done = Q(started_on__lte=as_of - window + datetime.timedelta(days=1))
    figures = placements.aggregate(
        placements=Count("id", filter=done),
        with_contact=Count("id", filter=done & Q(early__gt=0)),
        contacts=Coalesce(Sum("early", filter=done), 0),
        in_first_weeks=Count("id", filter=~done),
    )
    return {key: int(value) for key, value in figures.items()}


def mentoring_text(mentoring: dict[str, int]) -> str:
    """The mentoring figures in words (the page and the report say the same)."""
    placements = mentoring["placements"]
    if not placements:
        return (
            "No placement started in the period had reached the end of its first four weeks, "
            "so there is no mentoring figure yet."
        )
    return (
        f"Of {placements} placements started whose first four weeks had ended, "
        f"{mentoring['with_contact']} ({mentoring['with_contact'] / placements:.0%}) had a "
        f"mentoring contact in those weeks: {mentoring['contacts']} contacts, "
        f"{mentoring['contacts'] / placements:.1f} per placement."
    )


def sector_rows(service: Service, period: Period) -> list[tuple[str, list[int]]]:
    """``sector_figures`` as rows to show: (the group's label, its figures in the order of
    ``SECTOR_COLUMNS``)."""
    return sector_rows_of(sector_figures(service, period))


def sector_rows_of(by_sector: dict[str, dict[str, int]]) -> list[tuple[str, list[int]]]:
    """Sector figures, counted now or kept, as rows to show (``sector_rows``)."""
    return [
        (label, [by_sector[group][key] for key in SECTOR_COLUMNS]) for group, label in SECTOR_GROUPS
    ]


def placement_figures(service: Service, period: Period) -> dict[str, Any]:
    """Opportunities created by kind, people put forward, starting and completing
    placements, and employers engaged with, in the period."""
    engaged = (
        Engagement.objects.filter(employer__service=service)
        .filter(period.q("on"))
        .aggregate(n=Count("employer", distinct=True))["n"]
    )
    return {
        "opportunities_created": opportunities_created(service, period.start, period.end),
        "people": placement_participant_counts(service, period.start, period.end),
        "employers_engaged": engaged,
        "by_sector": sector_figures(service, period),
        "mentoring": mentoring_figures(service, period, period.end),
    }


def record_figures(service: Service, period: Period) -> dict[str, Any]:
    """Every figure of the RR Board report counted from people's or employers' records,
    apart from the measures, as raw data (JSON-ready): what a period snapshot keeps."""
    return {
        "referrals_by_source": referral_counts(service, period, "source"),
        "referrals_by_cohort": referral_counts(service, period, "cohort"),
        "distance": distance_figures(service, period),
        "placements": placement_figures(service, period),
        "equality": published_counts(service, period.start, period.end),
        "starts": start_counts(service, period.start, period.end),
    }


def frozen_record_figures(snapshot: PeriodSnapshot) -> dict[str, Any]:
    """The ``record_figures`` a snapshot froze. Refuses, with a reason, a snapshot kept in
    an older shape, rather than count its period live (its records may be gone)."""
    version = snapshot.figures.get("version", 1)
    if version != FIGURES_VERSION:
        raise FrozenFiguresUnreadable(
            f"The figures of {snapshot.period_start:%-d %B %Y} to "
            f"{snapshot.period_end:%-d %B %Y} were frozen on {snapshot.as_of:%-d %B %Y} in "
            f"an older form (version {version}) from which this version of Pathways cannot "
            f"build the report (it reads version {FIGURES_VERSION})."
        )
    records: dict[str, Any] = snapshot.figures["records"]
    return records
