"""A North case allocated to the North worker, started on 1 September 2026; the clock is
then moved to 1 October 2026, so dates before, on and after the start can be tried."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from pathways.accounts.models import Patch, User
from pathways.referrals import services as referrals
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_active

LONDON = datetime.timezone(datetime.timedelta(hours=1))
STARTED = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=LONDON)
TODAY = datetime.date(2026, 10, 1)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(STARTED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(
    clock: time_machine.Traveller,
    referrer: User,
    manager: User,
    worker_north: User,
    north: Patch,
) -> Referral:
    referral = make_active(referrer, manager)
    referrals.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    clock.move_to(datetime.datetime(2026, 10, 1, 10, 0, tzinfo=LONDON))
    referral.refresh_from_db()
    return referral
