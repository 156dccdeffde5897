"""Reference data for employers, opportunities and matching: sectors, requirements (cards,
licences, qualifications) and offence categories.

Loaded by a data migration; ``load_reference`` is idempotent (update or create by code).
Rows are retired (``retired_at``), never deleted.
"""

from __future__ import annotations

from typing import Any

# (code, label). Construction first, then its supply chain, then sectors already used to
# employing people with convictions.
SECTORS = [
    ("construction", "Construction"),
    ("construction-supply", "Construction supply chain"),
    ("manufacturing", "Manufacturing"),
    ("warehousing-logistics", "Warehousing and logistics"),
    ("waste-recycling", "Waste and recycling"),
    ("hospitality", "Hospitality and catering"),
    ("cleaning-facilities", "Cleaning and facilities"),
    ("retail", "Retail"),
    ("other", "Other"),
]
# (code, kind, label)
REQUIREMENTS = [
    ("cscs-card", "card", "CSCS card"),
    ("driving-licence", "licence", "Full UK driving licence"),
    ("forklift", "licence", "Forklift licence (counterbalance)"),
    ("sia-licence", "licence", "SIA door supervisor licence"),
    ("first-aid", "qualification", "First aid at work certificate"),
    ("food-hygiene", "qualification", "Food hygiene certificate (level 2)"),
    ("english-maths-l1", "qualification", "English and maths at level 1"),
    ("working-at-height", "qualification", "Working at height certificate"),
]
# (code, label). Categories employers exclude; "other" needs details on the opportunity.
OFFENCE_CATEGORIES = [
    ("arson", "Arson"),
    ("driving", "Driving offences"),
    ("sexual", "Sexual offences"),
    ("violence", "Violence against the person"),
    ("theft-dishonesty", "Theft and dishonesty"),
    ("fraud", "Fraud"),
    ("drugs", "Drug offences"),
    ("other", "Other"),
]


def load_reference(sector_model: Any, requirement_model: Any, offence_model: Any) -> None:
    """Create or update every row. Takes the models so a migration can pass its own."""
    for order, (code, label) in enumerate(SECTORS):
        sector_model.objects.update_or_create(code=code, defaults={"label": label, "order": order})
    for order, (code, kind, label) in enumerate(REQUIREMENTS):
        requirement_model.objects.update_or_create(
            code=code, defaults={"label": label, "kind": kind, "order": order}
        )
    for order, (code, label) in enumerate(OFFENCE_CATEGORIES):
        offence_model.objects.update_or_create(code=code, defaults={"label": label, "order": order})
