"""Retention of what is not a person's record: staff accounts are anonymised a year after
they are made inactive, employers' contacts go two years after the employer's last
engagement, import error reports two years after the import, and audit events after seven
years, with the chain still provable (from a checkpoint in the chain, and against anchors
kept outside the database). Every one on a frozen clock, audited, in bulk."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.accounts.models import Patch, Service, User
from pathways.accounts.tests.factories import PASSWORD
from pathways.core.audit import AUDIT_PURGED, audit_refusal, audit_security
from pathways.core.models import AuditEvent
from pathways.data_protection.retention import (
    audit_events_purge,
    employer_contacts_purge,
    import_reports_purge,
    purge_expired_records,
    staff_anonymise,
    years_after,
)
from pathways.data_protection.schedule import AUDIT_RETENTION_YEARS
from pathways.employers import services as employers
from pathways.employers.models import EmployerContact
from pathways.employers.tests.factories import make_employer
from pathways.imports.models import BatchStatus, ImportBatch
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _now() -> datetime.datetime:
    return timezone.now()


# Staff accounts ------------------------------------------------------------------------


def test_making_an_account_inactive_starts_its_retention(
    referrer: User, clock: time_machine.Traveller
) -> None:
    assert referrer.deactivated_at is None
    referrer.is_active = False
    referrer.save(update_fields=["is_active"])
    referrer.refresh_from_db()
    assert referrer.deactivated_at == _now()
    clock.shift(datetime.timedelta(days=3))
    referrer.save()
    referrer.refresh_from_db()
    assert referrer.deactivated_at == _now() - datetime.timedelta(days=3), "not moved on"
    referrer.is_active = True
    referrer.save()
    referrer.refresh_from_db()
    assert referrer.deactivated_at is None


def test_staff_accounts_are_anonymised_a_year_after_they_are_made_inactive(
    client: Client,
    north: Patch,
    referrer: User,
    other_referrer: User,
    manager: User,
    clock: time_machine.Traveller,
) -> None:
    case = make_referral(referrer)
    TOTPDevice.objects.create(user=referrer, name="phone", confirmed=True)
    StaticDevice.objects.create(user=referrer, name="recovery")
    referrer.oidc_subject = "provider-id-of-referrer"  # bound at a single sign-on
    for user in (referrer, other_referrer):
        user.is_active = False
        user.save()
    clock.shift(datetime.timedelta(days=200))
    other_referrer.is_active = True  # back at work, then gone again later
    other_referrer.save()
    other_referrer.is_active = False
    other_referrer.save()
    assert referrer.deactivated_at is not None
    clock.move_to(years_after(referrer.deactivated_at, 1) - datetime.timedelta(hours=1))
    assert staff_anonymise(now=_now()) == []
    clock.shift(datetime.timedelta(hours=2))
    assert purge_expired_records.enqueue().return_value == 0  # no person, one account

    referrer.refresh_from_db()
    assert referrer.username == f"former-user-{referrer.pk}"
    assert (referrer.first_name, referrer.last_name, referrer.email, referrer.organisation) == (
        "",
        "",
        "",
        "",
    )
    assert not referrer.has_usable_password()
    assert referrer.oidc_subject == ""
    assert referrer.anonymised_at == _now()
    assert not TOTPDevice.objects.filter(user=referrer).exists()
    assert not StaticDevice.objects.filter(user=referrer).exists()
    # The records the account made still point at it, under its new name.
    assert Referral.objects.get(pk=case.pk).referred_by_id == referrer.pk
    assert str(referrer) == f"former-user-{referrer.pk}"
    # Not yet: reactivated and made inactive again 200 days later; active accounts never.
    other_referrer.refresh_from_db()
    assert other_referrer.anonymised_at is None
    manager.refresh_from_db()
    assert manager.anonymised_at is None and manager.first_name
    event = AuditEvent.objects.get(action="user.anonymised")
    assert event.detail == {"users": [referrer.pk]}
    assert event.actor_id is None
    # Anonymised once; the other account in its turn, a year after it was made inactive.
    assert staff_anonymise(now=_now() + datetime.timedelta(days=800)) == [other_referrer.pk]
    # The anonymised account cannot sign in, by its old name or its new one.
    for name in ("referrer", f"former-user-{referrer.pk}"):
        client.post("/accounts/login/", {"username": name, "password": PASSWORD})
        assert "_auth_user_id" not in client.session


# Employers' contacts ---------------------------------------------------------------------


def _contact(worker: User, employer: object, name: str) -> EmployerContact:
    return employers.employer_contact_add(
        actor=worker,
        employer=employer,  # type: ignore[arg-type]
        data={"name": name, "role": "Site manager", "phone": "01782 000000", "email": ""},
    )


def _engage(worker: User, employer: object) -> None:
    employers.engagement_record(
        actor=worker,
        employer=employer,  # type: ignore[arg-type]
        data={
            "on": timezone.localdate(),
            "what_happened": "Site visit.",
            "next_step": "",
            "next_step_by": None,
        },
    )


def test_employer_contacts_go_two_years_after_the_last_engagement(
    worker_north: User, north: Patch, clock: time_machine.Traveller
) -> None:
    engaged, quiet, never = (make_employer(worker_north, patch=north) for _ in range(3))
    kept_by_engagement = _contact(worker_north, engaged, "Ann Builder")
    gone_quiet = _contact(worker_north, quiet, "Bob Quiet")
    never_engaged = _contact(worker_north, never, "Cy Never")
    _engage(worker_north, quiet)
    start = _now()
    clock.shift(datetime.timedelta(days=500))
    _engage(worker_north, engaged)  # engaged again, 500 days later
    added_late = _contact(worker_north, never, "Di Late")
    clock.move_to(years_after(start, 2) + datetime.timedelta(days=1))

    assert employer_contacts_purge(now=_now()) == 2
    left = set(EmployerContact.objects.values_list("pk", flat=True))
    assert left == {kept_by_engagement.pk, added_late.pk}
    assert gone_quiet.pk not in left and never_engaged.pk not in left
    event = AuditEvent.objects.get(action="employercontact.purged")
    assert sorted(event.detail["contacts"]) == sorted([gone_quiet.pk, never_engaged.pk])
    assert "Bob" not in event.summary
    assert employer_contacts_purge(now=_now()) == 0


# Import reports -----------------------------------------------------------------------------


def _batch(service: Service, manager: User) -> ImportBatch:
    return ImportBatch.objects.create(
        service=service,
        kind="orders",
        file_name="nDelius orders for J Smith.csv",
        checksum="0" * 64,
        uploaded_by=manager,
        uploaded_at=timezone.now(),
        status=BatchStatus.REJECTED,
        total_rows=3,
        error_count=1,
        report={
            "errors": [{"row": 2, "column": "crn", "value": "X123456", "expected": "a CRN"}],
            "unknown": [],
            "ignored_columns": ["notes"],
        },
    )


def test_import_error_reports_go_two_years_after_the_import(
    client: Client, service: Service, manager: User, clock: time_machine.Traveller
) -> None:
    old = _batch(service, manager)
    clock.shift(datetime.timedelta(days=400))
    recent = _batch(service, manager)
    clock.move_to(years_after(old.uploaded_at, 2) + datetime.timedelta(minutes=1))

    assert import_reports_purge(now=_now()) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.file_name == "" and "X123456" not in json.dumps(old.report)
    assert (old.total_rows, old.error_count) == (3, 1)
    assert recent.report["errors"] and recent.file_name
    client.force_login(manager)
    page = client.get(f"/imports/{old.pk}/").content.decode()
    assert "deleted on" in page and "X123456" not in page
    assert AuditEvent.objects.get(action="importbatch.report_purged").detail == {
        "imports": [old.pk]
    }
    assert import_reports_purge(now=_now()) == 0


# The audit trail -----------------------------------------------------------------------------


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", "--batch", "3", *args, stdout=out)
    return out.getvalue()


def _anchor() -> str:
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    return out.getvalue().strip()


def test_audit_events_go_after_seven_years_and_the_chain_still_proves(
    worker_north: User, tmp_path: Path
) -> None:
    assert not AuditEvent.objects.exists()  # events in time order along the chain
    now = _now()
    with time_machine.travel(years_after(now, -8)):
        old = [audit_security(actor=None, action="sign_in.failed", user_id=worker_north.pk)]
        old.append(audit_refusal(actor=worker_north, object_type="x.y", object_id=1))
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(_anchor() + "\n")
    with time_machine.travel(years_after(now, -6)):
        kept = audit_security(actor=None, action="sign_in.failed", user_id=worker_north.pk)
    anchors.write_text(anchors.read_text() + _anchor() + "\n")

    assert audit_events_purge(now=now) == 2
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    checkpoint = AuditEvent.objects.get(action=AUDIT_PURGED)
    assert checkpoint.detail == {"through_id": old[-1].pk, "through_hash": old[-1].hash, "count": 2}
    said = _verify("--anchors", str(anchors))
    assert f"Audit chain intact: 2 events checked after event {old[-1].pk}" in said
    assert "Anchors matched: 1 (1 older than the purged events" in said
    assert audit_events_purge(now=now) == 0


def test_verify_audit_refuses_a_chain_that_does_not_match_its_anchors(
    worker_north: User, tmp_path: Path
) -> None:
    audit_security(actor=None, action="sign_in.failed", user_id=worker_north.pk)
    anchor = json.loads(_anchor())
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(json.dumps({**anchor, "hash": "f" * 64}) + "\n")
    with pytest.raises(CommandError, match=f"event {anchor['id']} has a different hash"):
        _verify("--anchors", str(anchors))
    anchors.write_text(json.dumps({**anchor, "id": anchor["id"] + 100}) + "\n")
    with pytest.raises(CommandError, match="is missing"):
        _verify("--anchors", str(anchors))
    anchors.write_text("not json\n")
    with pytest.raises(CommandError, match="line 1 is not an anchor"):
        _verify("--anchors", str(anchors))
    anchors.write_text(json.dumps(anchor) + "\n")
    assert "Anchors matched: 1." in _verify("--anchors", str(anchors))


def test_the_anchor_holds_ids_and_a_hash_only(
    worker_north: User, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(CommandError, match="no audit events"):
        _anchor()
    event = audit_security(actor=None, action="sign_in.failed", user_id=worker_north.pk)
    with caplog.at_level("INFO", logger="pathways.audit"):
        anchor = json.loads(_anchor())
    assert set(anchor) == {"id", "at", "hash"}
    assert (anchor["id"], anchor["hash"]) == (event.pk, event.hash)
    assert f'"hash": "{event.hash}"' in caplog.text


@pytest.mark.skipif(not POSTGRES, reason="the append-only trigger is PostgreSQL's")
def test_postgresql_deletes_audit_events_only_after_seven_years(worker_north: User) -> None:
    now = _now()
    with time_machine.travel(years_after(now, -AUDIT_RETENTION_YEARS) + datetime.timedelta(days=2)):
        young = audit_security(actor=None, action="sign_in.failed", user_id=worker_north.pk)
    with time_machine.travel(years_after(now, -AUDIT_RETENTION_YEARS - 1)):
        old = audit_security(actor=None, action="sign_in.failed", user_id=worker_north.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=young.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).update(summary="rewritten")
    AuditEvent.objects.filter(pk=old.pk).delete()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
