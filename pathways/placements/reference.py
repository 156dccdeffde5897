"""Reference data for placements: why a placement ended early, in reporting groups.

Loaded by a data migration; ``load_end_reasons`` is idempotent (update or create by code).
"""

from __future__ import annotations

from typing import Any

# (group, code, label, needs a note)
PLACEMENT_END_REASONS = [
    ("Participant", "stopped-attending", "Stopped attending", False),
    ("Participant", "left-for-other-work", "Left for other work or training", False),
    ("Participant", "not-for-them", "Decided the work was not for them", False),
    ("Participant", "health", "Ill health", False),
    ("Employer", "dismissed", "Dismissed by the employer", False),
    ("Employer", "work-ended", "The employer ended the work or placement", False),
    ("Employer", "after-disclosure", "Employer withdrew after disclosure or DBS check", False),
    ("Circumstances", "recall-custody", "Recalled or returned to custody", False),
    ("Circumstances", "moved-away", "Moved away", False),
    ("Circumstances", "licence-conditions", "Licence or order conditions prevent it", False),
    ("Other", "placement-end-other", "Other", True),
]


def load_end_reasons(model: Any) -> None:
    for order, (group, code, label, needs_note) in enumerate(PLACEMENT_END_REASONS):
        model.objects.update_or_create(
            code=code,
            defaults={"group": group, "label": label, "needs_note": needs_note, "order": order},
        )
