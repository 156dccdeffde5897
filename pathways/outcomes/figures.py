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

from typing import Any

from django.db.models import Count

from pathways.accounts.models import Service
from pathways.core.periods import Period
from pathways.employers.models import Engagement
from pathways.outcomes.equality import published_counts
from pathways.outcomes.models import PeriodSnapshot
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
