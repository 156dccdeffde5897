"""Demo equality monitoring answers for most of the demo's people, recorded through the
service as a worker would, so that the equality report has content. Called once by
load_demo, inside its transaction. The mix is made up (a fixed seed), not real data."""

from __future__ import annotations

import random

from pathways.accounts.models import Service, User
from pathways.casework import services
from pathways.participants.models import Participant

# (answer, weight); "" is "not asked or not answered".
MIX: dict[str, list[tuple[str, int]]] = {
    "sex": [("male", 80), ("female", 17), ("prefer_not", 3)],
    "gender_same_as_birth": [("yes", 85), ("no", 2), ("prefer_not", 5), ("", 8)],
    "ethnicity": [
        ("white-british", 70),
        ("white-other", 4),
        ("white-gypsy-traveller", 2),
        ("asian-pakistani", 6),
        ("asian-indian", 2),
        ("black-caribbean", 4),
        ("black-african", 2),
        ("mixed-white-black-caribbean", 4),
        ("other-any", 1),
        ("prefer_not", 3),
        ("", 2),
    ],
    "religion": [
        ("none", 45),
        ("christian", 30),
        ("muslim", 7),
        ("sikh", 2),
        ("other", 2),
        ("prefer_not", 9),
        ("", 5),
    ],
    "sexual_orientation": [
        ("straight", 80),
        ("gay_lesbian", 3),
        ("bisexual", 3),
        ("prefer_not", 9),
        ("", 5),
    ],
    "disability": [("no", 62), ("yes", 28), ("prefer_not", 5), ("", 5)],
}


def load(service: Service, users: dict[str, User]) -> None:
    manager = users["manager"]
    rng = random.Random(2022)  # demo data, not security
    people = Participant.objects.filter(referrals__service=service).distinct().order_by("pk")
    for person in people:
        if rng.random() < 0.15:  # some people have not been asked yet
            continue
        answers = {
            field: rng.choices([a for a, _ in mix], [w for _, w in mix])[0]
            for field, mix in MIX.items()
        }
        services.equality_record_save(actor=manager, participant=person, **answers)
