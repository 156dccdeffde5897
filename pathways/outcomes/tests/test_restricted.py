"""While processing of a person is restricted, their orders, offences and equality answers
cannot be changed (UK GDPR article 18)."""

from __future__ import annotations

import datetime

import pytest

from pathways.accounts.models import User
from pathways.casework import services as casework_services
from pathways.core.errors import ProcessingRestricted
from pathways.data_protection import services as data_protection
from pathways.outcomes import services
from pathways.outcomes.models import OffenceGroup, Order, ProvenBy
from pathways.participants.models import EqualityRecord
from pathways.referrals.models import OrderType, Referral

pytestmark = pytest.mark.django_db


def test_a_restricted_persons_outcomes_and_equality_answers_are_not_changed(
    case: Referral, manager: User, worker_north: User
) -> None:
    person = case.participant
    data_protection.participant_restrict(actor=manager, participant=person, reason="Objection")
    with pytest.raises(ProcessingRestricted):
        services.order_record(
            actor=worker_north,
            participant=person,
            order_type=OrderType.COMMUNITY_ORDER,
            start_date=datetime.date(2026, 1, 5),
        )
    with pytest.raises(ProcessingRestricted):
        services.offence_record(
            actor=worker_north,
            participant=person,
            committed_on=datetime.date(2026, 9, 2),
            proven_on=datetime.date(2026, 9, 20),
            proven_by=ProvenBy.CAUTION,
            category=OffenceGroup.THEFT,
        )
    with pytest.raises(ProcessingRestricted):
        casework_services.equality_record_save(actor=worker_north, participant=person, sex="female")
    assert not Order.objects.exists()
    assert not EqualityRecord.objects.exists()
