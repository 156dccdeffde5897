"""A report whose worker died is failed within minutes (its lease lapses), not left
"Being generated 75%" for good; one that finished is left as it is."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core import leases
from pathways.core.models import TaskLease
from pathways.reports.models import BoardReport, ReportStatus
from pathways.reports.tasks import LEASE, WORKER_STOPPED

pytestmark = pytest.mark.django_db


def _report(service: Service, manager: User, status: str) -> BoardReport:
    now = timezone.now()
    report = BoardReport.objects.create(
        service=service,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 9, 30),
        requested_by=manager,
        requested_at=now,
        status=status,
        progress=75,
    )
    TaskLease.objects.create(
        kind=LEASE,
        object_id=report.pk,
        started_at=now,
        expires_at=now + datetime.timedelta(seconds=leases.LEASE_SECONDS),
    )
    return report


def test_a_report_whose_worker_died_fails_within_minutes(service: Service, manager: User) -> None:
    report = _report(service, manager, ReportStatus.RUNNING)
    assert leases.reap() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert leases.reap() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and report.error == WORKER_STOPPED
    assert report.finished_at is not None
    assert not TaskLease.objects.exists()


def test_a_finished_report_stays_finished(service: Service, manager: User) -> None:
    report = _report(service, manager, ReportStatus.DONE)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert leases.reap() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
