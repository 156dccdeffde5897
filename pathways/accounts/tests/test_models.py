"""Users are set up so that their scope makes sense."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pathways.accounts.models import Patch, Service
from pathways.accounts.tests.factories import PatchFactory, UserFactory
from pathways.core.roles import Role

pytestmark = pytest.mark.django_db


def test_worker_needs_a_patch_of_their_service(service: Service, north: Patch) -> None:
    worker = UserFactory.build(role=Role.WORKER, service=service, patch=None)
    with pytest.raises(ValidationError, match="needs a patch"):
        worker.full_clean()
    worker.patch = PatchFactory.create()  # another service's patch
    with pytest.raises(ValidationError, match="must belong"):
        worker.full_clean()
    worker.patch = north
    worker.full_clean(exclude=["password"])


def test_roles_other_than_admin_need_a_service() -> None:
    with pytest.raises(ValidationError, match="works in a service"):
        UserFactory.build(role=Role.MANAGER, service=None).full_clean()
    UserFactory.build(role=Role.ADMIN, service=None).full_clean(exclude=["password"])
