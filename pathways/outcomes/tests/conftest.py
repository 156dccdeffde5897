"""The hand-counted world of ``world.py``, for the measure and view tests."""

from __future__ import annotations

import pytest

from pathways.accounts.models import Patch, Service, User
from pathways.outcomes.tests.world import World, build


@pytest.fixture
def world(
    service: Service,
    north: Patch,
    referrer: User,
    manager: User,
    worker_north: User,
    outsider: User,
) -> World:
    return build(
        service=service, referrer=referrer, manager=manager, worker=worker_north, outsider=outsider
    )
