"""The audit trail is append-only and chained: verify_audit proves it, tampering is found,
and on PostgreSQL the database itself refuses UPDATE and DELETE of audit rows."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from pathways.accounts.models import User
from pathways.core.audit import GENESIS, audit, audit_refusal, audit_security, event_hash
from pathways.core.models import AuditEvent, AuditKind
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _events(case: Referral, worker: User) -> list[AuditEvent]:
    return [
        audit(
            actor=worker,
            kind=AuditKind.VIEW,
            action="referral.viewed",
            obj=case,
            subject_id=case.participant_id,
            detail={"b": 2, "a": "ü"},
        ),
        audit_refusal(actor=worker, object_type="referrals.referral", object_id=999),
        audit_security(actor=None, action="sign_in.failed", user_id=worker.pk),
    ]


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", "--batch", "2", stdout=out)
    return out.getvalue()


@pytest.fixture
def writable_audit() -> None:
    """Lift the append-only trigger for this test's transaction (PostgreSQL), to tamper, as
    only a database superuser could: triggers do not fire in the replica role."""
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


def test_each_event_is_chained_to_the_one_before(case: Referral, worker_north: User) -> None:
    _events(case, worker_north)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for event in events:
        assert len(event.hash) == 64
    assert "Audit chain intact" in _verify()


def test_the_hash_covers_every_field(case: Referral, worker_north: User) -> None:
    event = _events(case, worker_north)[0]
    event.refresh_from_db()
    fields = {
        name: getattr(event, name)
        for name in (
            "at",
            "actor_id",
            "kind",
            "action",
            "object_type",
            "object_id",
            "subject_id",
            "episode_id",
            "summary",
            "detail",
        )
    }
    assert event_hash(fields, event.prev_hash) == event.hash
    for name, other in [
        ("summary", "x"),
        ("subject_id", 987654),
        ("detail", {}),
        ("actor_id", None),
    ]:
        assert event_hash({**fields, name: other}, event.prev_hash) != event.hash, name


def test_a_changed_event_is_found(case: Referral, worker_north: User, writable_audit: None) -> None:
    changed = _events(case, worker_north)[1]
    AuditEvent.objects.filter(pk=changed.pk).update(object_id="1")
    with pytest.raises(CommandError, match=f"broken at event {changed.pk}: its contents"):
        _verify()


def test_a_removed_event_is_found(case: Referral, worker_north: User, writable_audit: None) -> None:
    events = _events(case, worker_north)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    with pytest.raises(CommandError, match=f"broken at event {events[2].pk}: it does not follow"):
        _verify()


def test_verify_audit_exits_non_zero_from_the_command_line(
    case: Referral, worker_north: User, writable_audit: None
) -> None:
    events = _events(case, worker_north)
    AuditEvent.objects.filter(pk=events[0].pk).update(summary="nothing to see")
    with pytest.raises(SystemExit) as exited:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exited.value.code == 1


@pytest.mark.skipif(not POSTGRES, reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete(case: Referral, worker_north: User) -> None:
    event = _events(case, worker_north)[0]
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.summary == ""
    assert "Audit chain intact" in _verify()
