"""The default distance-travelled instrument, in Pathways' own wording.

Loaded by a data migration; ``load_default_instrument`` is idempotent.
"""

from __future__ import annotations

from typing import Any

DEFAULT_INSTRUMENT = "Pathways work readiness"
DEFAULT_NOTES = (
    "Pathways' own work-readiness scale. The participant and worker agree a score from 1 "
    "(not yet thinking about it) to 10 (can do this without help) for each area."
)
DEFAULT_AREAS = [
    "Job-search skills",
    "Workplace skills",
    "Basic skills (English, maths, digital)",
    "Stability (housing and money)",
    "Confidence and motivation",
    "Health and well-being",
]
# (label, lowest, highest)
DEFAULT_BANDS = [
    ("Not ready yet", 1, 3),
    ("Getting ready", 4, 6),
    ("Nearly ready", 7, 8),
    ("Ready for work", 9, 10),
]


def load_default_instrument(apps: Any, schema_editor: Any = None) -> None:
    Instrument = apps.get_model("plans", "Instrument")
    InstrumentArea = apps.get_model("plans", "InstrumentArea")
    InstrumentBand = apps.get_model("plans", "InstrumentBand")
    instrument, created = Instrument.objects.get_or_create(
        name=DEFAULT_INSTRUMENT,
        defaults={"scale_min": 1, "scale_max": 10, "notes": DEFAULT_NOTES},
    )
    if not created:
        return
    for order, name in enumerate(DEFAULT_AREAS, start=1):
        InstrumentArea.objects.create(instrument=instrument, name=name, order=order)
    for label, lowest, highest in DEFAULT_BANDS:
        InstrumentBand.objects.create(
            instrument=instrument, label=label, lowest=lowest, highest=highest
        )
