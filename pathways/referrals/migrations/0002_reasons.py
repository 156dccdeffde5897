"""Reference data: decline and end-of-support reasons, in the groups reports use."""

from __future__ import annotations

from django.db import migrations

DECLINE = [
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
END = [
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


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    for model_name, rows in (("DeclineReason", DECLINE), ("EndReason", END)):
        model = apps.get_model("referrals", model_name)
        for order, (group, code, label, needs_note) in enumerate(rows):
            model.objects.update_or_create(
                code=code,
                defaults={"group": group, "label": label, "needs_note": needs_note, "order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
