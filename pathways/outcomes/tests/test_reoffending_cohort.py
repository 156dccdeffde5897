"""Measure 8 counts people, each once, from their first start in the period."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from pathways.accounts.models import Patch, Service, User
from pathways.core.periods import half_year
from pathways.outcomes import services as outcomes
from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.models import OffenceGroup, ProvenBy
from pathways.referrals import services as referrals
from pathways.referrals.models import EndReason
from pathways.referrals.tests.factories import LONDON, details_data, make_active, person_data

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), LONDON), tick=False
    )


def test_a_person_re_referred_in_the_period_is_one_person_from_their_first_start(
    referrer: User, manager: User, north: Patch, service: Service
) -> None:
    with _at(datetime.date(2024, 5, 10)):
        first = make_active(referrer, manager, crn="X700001")
    with _at(datetime.date(2024, 6, 1)):
        referrals.referral_end(
            actor=manager,
            referral=first,
            reason=EndReason.objects.get(code="disengaged"),
            closing_summary="Stopped coming",
        )
    with _at(datetime.date(2024, 8, 1)):
        second = referrals.referral_create(
            actor=referrer,
            service=service,
            person=person_data(
                north.areas.get(),
                crn="X700001",
                first_name=first.participant.first_name,
                date_of_birth=first.participant.date_of_birth,
            ),
            details=details_data(),
            existing_participant=first.participant,
        )
        referrals.referral_accept(actor=manager, referral=second)
    # Committed 375 days after the first start (outside its 12 months) but within 12 months
    # of the second start: the person's follow-up runs from the first start.
    with _at(datetime.date(2025, 7, 1)):
        outcomes.offence_record(
            actor=manager,
            participant=first.participant,
            committed_on=datetime.date(2025, 5, 20),
            proven_on=datetime.date(2025, 6, 10),
            proven_by=ProvenBy.CONVICTION,
            category=OffenceGroup.THEFT,
        )
    period = half_year(datetime.date(2024, 6, 1))
    measure = BY_KEY["not_reoffending"]
    figure = measure.compute(service, period, datetime.date(2026, 6, 1))
    assert (figure.value, figure.numerator, figure.denominator) == (1, 1, 1)
    records = list(measure.records(service, period, datetime.date(2026, 6, 1)))
    assert [record.pk for record in records] == [first.pk]
