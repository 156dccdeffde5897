"""Demo convictions for some of the demo's people, recorded through the service as a worker
would, so that the person's page shows what must be disclosed and until when, and matching
explains what each opportunity's check will show. Called once by load_demo, inside its
transaction. The records are made up (a fixed seed), not real data."""

from __future__ import annotations

import datetime as dt
import random

from pathways.accounts.models import Service, User
from pathways.convictions.services import SentenceInput, conviction_record
from pathways.employers.models import OffenceCategory
from pathways.participants.models import Participant

# (offence, category code, sentence): a mix whose spent dates fall before, around and
# after the demo's today.
HISTORIES: list[list[tuple[str, str, SentenceInput]]] = [
    [("Theft from a shop", "theft-dishonesty", SentenceInput("fine"))],
    [
        ("Burglary", "theft-dishonesty", SentenceInput("custody", 18, "months")),
        ("Possession of cannabis", "drugs", SentenceInput("conditional_discharge", 12, "months")),
    ],
    [("Assault by beating", "violence", SentenceInput("community_order", 12, "months"))],
    [("Driving while disqualified", "driving", SentenceInput("custody", 16, "weeks"))],
    [("Fraud by false representation", "fraud", SentenceInput("suspended_custody", 1, "years"))],
    [("Possession with intent to supply", "drugs", SentenceInput("custody", 5, "years"))],
]


def load(service: Service, users: dict[str, User], *, today: dt.date) -> None:
    manager = users["manager"]
    rng = random.Random(2019)  # demo data, not security
    categories = {category.code: category for category in OffenceCategory.objects.all()}
    people = (
        Participant.objects.filter(referrals__service=service, processing_restricted_at=None)
        .distinct()
        .order_by("pk")
    )
    for person in people:
        if rng.random() < 0.4:  # not everyone's record holds their convictions
            continue
        history = rng.choice(HISTORIES)
        years_ago = rng.randint(1, 6)
        for offset, (offence, category, sentence) in enumerate(history):
            conviction_record(
                actor=manager,
                participant=person,
                convicted_on=today - dt.timedelta(days=365 * years_ago - 200 * offset),
                sentences=[sentence],
                offence=offence,
                offence_category=categories.get(category),
            )
