"""Many refusals by one user in an hour are flagged to the administrator; a manager exports
a person's audit trail (CSV, cells neutralised), and the export is audited."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import User
from pathways.core.audit import audit_refusal
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.selectors import refusal_flags
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _refuse(user: User, times: int) -> None:
    for n in range(times):
        audit_refusal(actor=user, object_type="referrals.referral", object_id=n)


def test_users_with_many_refusals_in_the_last_hour_are_flagged(
    settings: object, referrer: User, worker_north: User, manager: User
) -> None:
    settings.REFUSAL_FLAG_THRESHOLD = 3  # type: ignore[attr-defined]
    start = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _refuse(manager, 3)  # more than an hour before: not counted
        clock.shift(datetime.timedelta(minutes=61))
        _refuse(referrer, 4)
        _refuse(worker_north, 2)  # under the threshold
        flags = refusal_flags()
    assert [(flag.user, flag.refusals) for flag in flags] == [(referrer, 4)]


def test_the_administrator_sees_the_flags(
    client: Client, settings: object, admin_user: User, referrer: User
) -> None:
    settings.REFUSAL_FLAG_THRESHOLD = 2  # type: ignore[attr-defined]
    client.force_login(admin_user)
    assert "No user has been refused 2 times" in client.get("/security/refusals/").content.decode()
    _refuse(referrer, 2)
    html = client.get("/security/refusals/").content.decode()
    assert "(referrer)" in html
    assert "Refusals flagged" in client.get("/admin/").content.decode()  # linked from the admin


def test_a_manager_exports_the_audit_trail(
    client: Client, case: Referral, manager: User, worker_north: User
) -> None:
    participant = case.participant
    client.force_login(worker_north)
    client.get(f"/participants/{participant.pk}/")
    client.force_login(manager)
    response = client.get(f"/participants/{participant.pk}/audit-trail.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="audit-trail-person-{participant.pk}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert "participant.viewed" in {row["action"] for row in rows}
    assert any(row["user"] == "worker-north" and row["kind"] == "Viewed" for row in rows)
    assert participant.last_name not in response.content.decode()
    export = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert export.actor == manager and export.subject_id == participant.pk
    assert export.action == "audit_trail.exported"
