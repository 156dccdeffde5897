"""The capacity cap holds when many managers act at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection

from pathways.accounts.models import Patch, Service, User
from pathways.core.errors import StateChanged
from pathways.referrals import services
from pathways.referrals.models import EndReason, Referral
from pathways.referrals.tests.factories import make_active, make_referral

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL's row locks (set DATABASE_URL)")


def _race(jobs: list[Callable[[], object]]) -> list[BaseException | None]:
    """Run the jobs in threads released together; each thread has its own connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[BaseException | None] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            job()
        except BaseException as error:  # noqa: BLE001 - reported back to the test
            outcomes[i] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_parallel_accepts_never_exceed_capacity(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    service.capacity = 5
    service.save()
    referrals = [make_referral(referrer) for _ in range(24)]

    def accept(referral: Referral) -> Callable[[], object]:
        return lambda: services.referral_accept(actor=manager, referral=referral)

    outcomes = _race([accept(r) for r in referrals])
    assert outcomes == [None] * len(referrals)
    assert Referral.objects.active().count() == 5
    assert Referral.objects.waiting().count() == 19


def test_the_same_referral_accepted_twice_at_once_is_decided_once(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    referral = make_referral(referrer)
    outcomes = _race([lambda: services.referral_accept(actor=manager, referral=referral)] * 6)
    assert sum(outcome is None for outcome in outcomes) == 1
    assert all(isinstance(o, StateChanged) for o in outcomes if o is not None)


def test_ends_and_accepts_at_once_keep_the_cap(
    service: Service, referrer: User, manager: User, north: Patch
) -> None:
    service.capacity = 4
    service.save()
    active = [make_active(referrer, manager) for _ in range(4)]
    waiting = [
        services.referral_accept(actor=manager, referral=make_referral(referrer)) for _ in range(3)
    ]
    fresh = [make_referral(referrer) for _ in range(6)]
    reason = EndReason.objects.get(code="sustained-work")
    jobs: list[Callable[[], object]] = [
        partial(
            services.referral_end,
            actor=manager,
            referral=r,
            reason=reason,
            closing_summary="Moved away",
        )
        for r in active[:2]
    ]
    jobs += [partial(services.referral_accept, actor=manager, referral=r) for r in fresh]
    outcomes = _race(jobs)
    assert outcomes == [None] * len(jobs)
    assert Referral.objects.active().count() == 4
    for referral in waiting[:2]:
        referral.refresh_from_db()
        assert referral.started_at is not None  # the freed places went to the head of the list
