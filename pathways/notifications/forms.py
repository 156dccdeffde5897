"""The form for a participant's consent to appointment texts."""

from __future__ import annotations

from pathways.core.forms import DateField, Form, radios

GIVE, WITHDRAW = "give", "withdraw"


class TextConsentForm(Form):
    decision = radios(
        "What has the person said about appointment texts?",
        [
            (GIVE, "They consent to texts reminding them of appointments"),
            (WITHDRAW, "They have withdrawn their consent"),
        ],
        "Select what the person said",
    )
    on = DateField(label="When did they say so?", help_text="For example, 27 3 2026")
