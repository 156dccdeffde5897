"""Reference data for referrals: decline and end-of-support reasons, in reporting groups.

Loaded by a data migration; ``load_reasons`` is idempotent (update or create by code).
"""

from __future__ import annotations

from typing import Any

# (group, code, label, needs a note)
DECLINE_REASONS = [
    ("Not eligible", "under-16", "Under 16 on the referral date", False),
    ("Not eligible", "not-eligible-group", "Not in an eligible group", False),
    ("Not eligible", "not-eligible-source", "Not referred by Probation, YOS or a prison", False),
    ("Not suitable now", "in-work-or-education", "Already in work, training or education", False),
    ("Not suitable now", "needs-met-elsewhere", "Needs better met by another service", False),
    ("Not suitable now", "risk-unmanageable", "Risk cannot be managed in placements", True),
    ("Participant", "no-consent", "Did not consent or withdrew consent", False),
    ("Participant", "no-contact", "Could not be contacted", False),
    ("Other", "decline-other", "Other", True),
]
END_REASONS = [
    ("Positive", "sustained-work", "Into sustained work", False),
    ("Positive", "education-training", "Into education or training", False),
    ("Positive", "goals-met", "Plan goals met; no further support needed", False),
    ("Disengaged", "disengaged", "Disengaged: stopped attending", False),
    ("Disengaged", "declined-support", "Declined further support", False),
    ("Circumstances", "moved-away", "Moved away", False),
    ("Circumstances", "custody", "Returned to custody or recalled", False),
    ("Circumstances", "order-ended", "Order ended or revoked", False),
    ("Circumstances", "ill-health", "Ill health", False),
    ("Circumstances", "died", "Died", False),
    ("Other", "end-other", "Other", True),
]


def load_reasons(decline_model: Any, end_model: Any) -> None:
    """Create or update every reason. Takes the models so a migration can pass its own."""
    for model, rows in ((decline_model, DECLINE_REASONS), (end_model, END_REASONS)):
        for order, (group, code, label, needs_note) in enumerate(rows):
            model.objects.update_or_create(
                code=code,
                defaults={"group": group, "label": label, "needs_note": needs_note, "order": order},
            )
