"""Changes of a user's role, service, patch or active flag: audited in the hash-chained
trail with who made them, never made by a user to their own account, and listed on the
administrator's refusals page for 30 days."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.accounts.tests.factories import UserFactory
from pathways.core.audit import ROLE_CHANGED
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.roles import Role

pytestmark = pytest.mark.django_db


def _changes() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ROLE_CHANGED).order_by("id"))


def _form(user: User, **changes: Any) -> dict[str, Any]:
    """The admin's change form for ``user`` as posted, with ``changes``."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "service": user.service_id or "",
        "patch": user.patch_id or "",
        "organisation": user.organisation,
        "oidc_subject": user.oidc_subject,
        "_save": "Save",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _post(client: Client, user: User, **changes: Any) -> Any:
    return client.post(f"/admin/accounts/user/{user.pk}/change/", _form(user, **changes))


def test_an_administrator_cannot_give_themselves_a_case_role_in_the_admin(
    client: Client, admin_user: User, service: Service
) -> None:
    client.force_login(admin_user)
    response = _post(client, admin_user, role=Role.MANAGER, service=service.pk)
    assert response.status_code == 200  # the form again, with the error: not a 500
    assert "You cannot change your own role" in response.content.decode()
    assert "You cannot change your own service" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and admin_user.service_id is None
    assert _changes() == []


def test_an_administrator_cannot_change_their_own_role_by_any_path(
    admin_user: User, manager: User, service: Service
) -> None:
    admin_user.role = Role.COMMISSIONER
    admin_user.service = service
    with pytest.raises(ValidationError) as refused:
        admin_user.save(changed_by=admin_user)
    assert set(refused.value.message_dict) == {"role", "service"}
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    # Nor a manager their own patch or service (their scope).
    manager.service = Service.objects.create(name="Elsewhere", slug="elsewhere")
    with pytest.raises(ValidationError):
        manager.save(changed_by=manager)
    assert _changes() == []


def test_an_administrator_may_change_other_fields_of_their_own_account(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    response = _post(client, admin_user, first_name="Ada")
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.first_name == "Ada"
    assert _changes() == []  # the name is not access: no event


def test_a_change_of_role_service_patch_or_active_is_audited_with_who_made_it(
    client: Client, admin_user: User, worker_north: User, south: Patch, north: Patch
) -> None:
    client.force_login(admin_user)
    response = _post(client, worker_north, patch=south.pk)
    assert response.status_code == 302
    response = _post(client, worker_north, role=Role.MANAGER, patch="")
    assert response.status_code == 302
    worker_north.refresh_from_db()
    response = _post(client, worker_north, is_active=None)  # the box unticked
    assert response.status_code == 302
    moved, promoted, deactivated = _changes()
    service = worker_north.service_id
    assert moved.kind == AuditKind.CHANGE
    assert moved.actor == admin_user
    assert moved.object_type == "accounts.user" and moved.object_id == str(worker_north.pk)
    assert moved.subject_id is None  # a member of staff, not a participant
    assert moved.detail == {
        "before": {
            "role": "worker",
            "service_id": service,
            "patch_id": north.pk,
            "is_active": True,
        },
        "after": {"role": "worker", "service_id": service, "patch_id": south.pk, "is_active": True},
    }
    assert promoted.detail["after"] == {
        "role": "manager",
        "service_id": service,
        "patch_id": None,
        "is_active": True,
    }
    assert deactivated.detail["after"]["is_active"] is False
    assert deactivated.actor == admin_user
    # Ids, never names.
    for event in (moved, promoted, deactivated):
        assert worker_north.last_name not in f"{event.summary} {event.detail}"


def test_a_change_outside_the_admin_is_audited_as_the_systems(worker_north: User) -> None:
    worker_north.is_active = False
    worker_north.save()
    worker_north.role = Role.MANAGER
    worker_north.patch = None
    worker_north.save(update_fields=["role", "patch"])
    deactivated, promoted = _changes()
    assert deactivated.actor is None and deactivated.detail["after"]["is_active"] is False
    assert promoted.detail["before"]["role"] == "worker"
    assert promoted.detail["after"]["role"] == "manager"


def test_saves_that_change_no_access_write_no_event(client: Client, worker_north: User) -> None:
    worker_north.first_name = "Sam"
    worker_north.save()
    client.force_login(worker_north)  # last_login is saved
    worker_north.save(update_fields=["last_login"])
    assert _changes() == []


def test_an_account_made_in_the_admin_is_audited(
    client: Client, admin_user: User, service: Service
) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-manager",
            "password1": "A-long-enough-passphrase-2026",
            "password2": "A-long-enough-passphrase-2026",
            "usable_password": "true",
            "role": Role.MANAGER,
            "service": service.pk,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = User.objects.get(username="new-manager")
    [event] = _changes()
    assert event.actor == admin_user and event.object_id == str(made.pk)
    assert event.detail["before"] is None
    assert event.detail["after"]["role"] == "manager"


def test_the_refusals_page_lists_access_changes_of_the_last_30_days(
    client: Client, admin_user: User, service: Service
) -> None:
    now = timezone.now()
    old = UserFactory.create(username="changed-long-ago", role=Role.REFERRER, service=service)
    recent = UserFactory.create(username="changed-lately", role=Role.REFERRER, service=service)
    with time_machine.travel(now - datetime.timedelta(days=31)):
        old.role = Role.COMMISSIONER
        old.save(changed_by=admin_user)
    with time_machine.travel(now - datetime.timedelta(days=29)):
        recent.role = Role.MANAGER
        recent.save(changed_by=admin_user)
    client.force_login(admin_user)
    page = client.get("/security/refusals/").content.decode()
    assert "changed-lately" in page
    assert "Referrer (probation, youth offending or prison) to Service manager" in page
    assert "changed-long-ago" not in page
    assert "Commissioner" not in page


def test_the_refusals_page_says_when_no_access_has_changed(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    page = client.get("/security/refusals/").content.decode()
    assert "No user's access has changed in the last 30 days." in page
