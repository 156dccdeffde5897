"""Fixtures of the accounts tests: single sign-on switched on against a fake provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pathways.accounts.tests.fake_oidc import FakeProvider, running_provider


@pytest.fixture
def provider(settings: Any) -> Iterator[FakeProvider]:
    """Single sign-on switched on, as the environment would, against the fake provider."""
    with running_provider() as fake:
        for name, value in fake.settings.items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            settings.OIDC_BACKEND,
        ]
        yield fake
