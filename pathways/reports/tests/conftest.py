"""A small world for the equality report: referrals with dates on either side of the
half-year 1 May to 31 October 2025, built through the services and then dated."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pathways.accounts.models import Patch, User
from pathways.employers.models import OpportunityKind
from pathways.employers.tests.factories import make_employer, make_opportunity
from pathways.participants.models import EqualityRecord
from pathways.placements.models import Placement
from pathways.referrals.models import EndReason, Referral
from pathways.referrals.tests.factories import make_referral

LONDON = ZoneInfo("Europe/London")
START, END = datetime.date(2025, 5, 1), datetime.date(2025, 10, 31)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def world(
    referrer: User, manager: User, worker_north: User, north: Patch, reference_data: None
) -> dict[str, Referral]:
    """Six referrals (the expected counts are in test_equality.py):

    A  received 30 April 2025 23:30 (before the period)
    B  received 1 May 2025 00:30, female, White British, 17; accepted, started, a job from
       1 June
    C  received 31 October 2025 23:30, male, ethnicity prefer not to say, 18 that day;
       accepted 1 November (after the period)
    D  received 1 November 2025 00:10 (after the period)
    E  received 15 June 2025, no equality record, 35; started, a training placement
       started and completed, support ended into sustained work on 1 September
    F  received 1 July 2025, sex not answered, Black African, 65; declined
    """
    employer = make_employer(worker_north, patch=north)
    job = make_opportunity(worker_north, employer, kind=OpportunityKind.JOB)
    training = make_opportunity(worker_north, employer, kind=OpportunityKind.TRAINING)
    people: dict[str, dict[str, Any]] = {
        "A": {"date_of_birth": datetime.date(1990, 1, 1)},
        "B": {"date_of_birth": datetime.date(2007, 5, 2)},
        "C": {"date_of_birth": datetime.date(2007, 10, 31)},
        "D": {"date_of_birth": datetime.date(1990, 1, 1)},
        "E": {"date_of_birth": datetime.date(1990, 1, 1)},
        "F": {"date_of_birth": datetime.date(1960, 1, 1)},
    }
    refs = {key: make_referral(referrer, **person) for key, person in people.items()}
    dates: dict[str, dict[str, Any]] = {
        "A": {"received_at": at(2025, 4, 30, 23, 30), "accepted_at": at(2025, 5, 1)},
        "B": {
            "received_at": at(2025, 5, 1, 0, 30),
            "accepted_at": at(2025, 5, 2),
            "started_at": at(2025, 5, 3),
        },
        "C": {"received_at": at(2025, 10, 31, 23, 30), "accepted_at": at(2025, 11, 1)},
        "D": {"received_at": at(2025, 11, 1, 0, 10)},
        "E": {
            "received_at": at(2025, 6, 15),
            "accepted_at": at(2025, 6, 16),
            "started_at": at(2025, 6, 16),
            "ended_at": at(2025, 9, 1),
            "end_reason": EndReason.objects.get(code="sustained-work"),
        },
        "F": {"received_at": at(2025, 7, 1), "declined_at": at(2025, 7, 2)},
    }
    for key, values in dates.items():
        Referral.objects.filter(pk=refs[key].pk).update(
            **{"accepted_at": None, "started_at": None, **values}
        )
    answers = {
        "B": {"sex": "female", "ethnicity": "white-british"},
        "C": {"sex": "male", "ethnicity": "prefer_not"},
        "F": {"sex": "", "ethnicity": "black-african", "disability": "yes"},
    }
    for key, values in answers.items():
        EqualityRecord.objects.create(participant=refs[key].participant, **values)

    def place(key: str, opportunity, **dates: datetime.date) -> None:
        Placement.objects.create(
            referral=refs[key],
            participant=refs[key].participant,
            opportunity=opportunity,
            put_forward_by=worker_north,
            accepted_on=dates["started_on"],
            **dates,
        )

    place("B", job, started_on=datetime.date(2025, 6, 1))
    place(
        "E", training, started_on=datetime.date(2025, 7, 1), completed_on=datetime.date(2025, 8, 31)
    )
    return refs
