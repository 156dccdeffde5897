"""Every notification Pathways sends: its key, channel, audience, whether the user may turn
it off, and its text with Notify's ``((placeholders))``.

The text here is what Django's email backend sends when no Notify key is set (and what the
Notify templates must say: docs/notifications.md lists the same, and a test keeps the two
equal). Notify's template ids come from settings (``NOTIFY_TEMPLATE_IDS``).

Content rules (docs/notifications.md): staff emails carry a reference and a link, never a
name, date of birth, offence or note; texts say only "your appointment with <worker first
name> at <time> at <place>", never the service's purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathways.notifications.models import Channel


@dataclass(frozen=True)
class Template:
    key: str
    channel: Channel
    audience: str
    subject: str
    body: str
    # Safety notifications (a concern flagged) cannot be turned off; the rest are for
    # information and each user may turn them off.
    safety: bool = False
    # A user may turn this one off (information only). Digests and texts are not offered.
    optional: bool = True

    @property
    def label(self) -> str:
        """The template's name on the preferences page."""
        return self.key.replace("_", " ").capitalize()

    @property
    def fields(self) -> list[str]:
        """The personalisation the template needs, in order of first use."""
        found: list[str] = []
        for name in PLACEHOLDER.findall(self.subject + self.body):
            if name not in found:
                found.append(name)
        return found


PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")
_LINK = "\n\nSee it in Pathways: ((link))"
_EMAIL, _SMS = Channel.EMAIL, Channel.SMS

TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in [
        Template(
            "referral_received",
            _EMAIL,
            "referrer",
            "Referral ((reference)) received",
            "Your referral ((reference)) has been received. The service will decide on it "
            "and you will be told." + _LINK,
        ),
        Template(
            "referral_accepted_place",
            _EMAIL,
            "referrer",
            "Referral ((reference)) accepted",
            "Your referral ((reference)) has been accepted and the person has a place on the "
            "service." + _LINK,
        ),
        Template(
            "referral_accepted_waiting",
            _EMAIL,
            "referrer",
            "Referral ((reference)) accepted: on the waiting list",
            "Your referral ((reference)) has been accepted. The service is full, so the "
            "person is on the waiting list, at position ((position))." + _LINK,
        ),
        Template(
            "referral_place_offered",
            _EMAIL,
            "referrer",
            "Referral ((reference)): a place is now available",
            "A place has become free and the person referred in ((reference)) now has a "
            "place on the service." + _LINK,
        ),
        Template(
            "referral_declined",
            _EMAIL,
            "referrer",
            "Referral ((reference)) declined",
            "Your referral ((reference)) has been declined. The reason: ((reason))." + _LINK,
        ),
        Template(
            "referral_allocated",
            _EMAIL,
            "referrer",
            "Referral ((reference)): support worker allocated",
            "The person referred in ((reference)) has been allocated to ((worker_name)), "
            "who will support them." + _LINK,
        ),
        Template(
            "support_ended",
            _EMAIL,
            "referrer",
            "Referral ((reference)): support ended",
            "Support for the person referred in ((reference)) has ended." + _LINK,
        ),
        Template(
            "concern_flagged",
            _EMAIL,
            "referrer",
            "Referral ((reference)): a concern for you",
            "A support worker has recorded a concern about the person referred in "
            "((reference)) that they want you to know of. Sign in to read it." + _LINK,
            safety=True,
            optional=False,
        ),
        Template(
            "person_allocated",
            _EMAIL,
            "worker",
            "Referral ((reference)) allocated to you",
            "A person has been allocated to you: referral ((reference))." + _LINK,
        ),
        Template(
            "worker_digest",
            _EMAIL,
            "worker",
            "Pathways: what is due today",
            "Due today or overdue on your caseload:\n\nPlan reviews: ((reviews))\n"
            "Appointments awaiting feedback: ((feedback))\nSustainment checks: "
            "((sustainment))\n\nSee your to-do list: ((link))",
        ),
        Template(
            "referral_awaiting_decision",
            _EMAIL,
            "manager",
            "Referral ((reference)) awaits a decision",
            "A new referral awaits your decision: ((reference))." + _LINK,
        ),
        Template(
            "manager_digest",
            _EMAIL,
            "manager",
            "Pathways: referrals awaiting a decision",
            "Referrals awaiting your decision: ((count))\n\nSee the referrals: ((link))",
            optional=False,
        ),
        Template(
            "referral_held_duplicate",
            _EMAIL,
            "manager",
            "Referral ((reference)) held: possible duplicate",
            "Referral ((reference)) has been held because it may be about a person already "
            "known to the service. Check it and decide." + _LINK,
        ),
        Template(
            "board_report_ready",
            _EMAIL,
            "commissioner",
            "An RR Board report is ready",
            "The RR Board report for ((period)) is ready to read." + _LINK,
        ),
        Template(
            "appointment_reminder",
            _SMS,
            "participant",
            "",
            "Reminder: your appointment with ((worker)) at ((time)) ((place)).",
            optional=False,
        ),
        Template(
            "appointment_rescheduled",
            _SMS,
            "participant",
            "",
            "Your appointment has moved: your appointment with ((worker)) at ((time)) ((place)).",
            optional=False,
        ),
    ]
}


def render(template: Template, personalisation: dict[str, object]) -> tuple[str, str]:
    """The subject and body with the personalisation put in (as Notify does)."""

    def put(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), text)

    return put(template.subject), put(template.body)


def optional_templates() -> list[Template]:
    """The notifications a user of ``audience`` may turn off."""
    return [t for t in TEMPLATES.values() if t.optional and not t.safety and t.channel == _EMAIL]
