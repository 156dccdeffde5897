"""The same Idempotency-Key sent several times at once makes one referral, and each call
answers it (PostgreSQL: SQLite takes one writer at a time)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from pathways.api import services
from pathways.api.models import IdempotencyKey
from pathways.api.schemas import ReferralIn
from pathways.api.tests.conftest import referral_body
from pathways.referrals.models import Referral
from pathways.referrals.tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL's row locks (set DATABASE_URL)")


def test_one_key_sent_at_once_makes_one_referral(ndelius: Any) -> None:
    body = ReferralIn(**referral_body()).model_dump()
    answers: list[int] = []

    def send() -> None:
        answers.append(
            services.referral_send(client=ndelius.client, body=body, key="race").referral.pk
        )

    outcomes = _race([send] * 5)
    assert outcomes == [None] * 5
    assert Referral.objects.count() == 1 == IdempotencyKey.objects.count()
    assert set(answers) == {Referral.objects.get().pk}
