"""Changes to the RR Board report: the commentary, and asking for a report."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import DomainError, NotPermitted
from pathways.core.periods import Period
from pathways.reports.models import BoardReport, Commentary
from pathways.reports.tasks import generate_board_report


def _own(actor: User, service: Service) -> None:
    require(actor, Action.WRITE_REPORTS)
    if actor.service_id != service.pk:
        raise NotPermitted("Reports are written for your own service.")


@transaction.atomic
def commentary_save(*, actor: User, service: Service, period: Period, text: str) -> Commentary:
    _own(actor, service)
    commentary, _created = Commentary.objects.update_or_create(
        service=service,
        period_start=period.start,
        period_end=period.end,
        defaults={"text": text.strip(), "updated_by": actor, "updated_at": timezone.now()},
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="report.commentary_saved",
        obj=commentary,
        subject_id=None,
        summary=f"Board report commentary saved for {period}",
    )
    return commentary


@transaction.atomic
def board_report_request(
    *, actor: User, service: Service, period: Period, updated: bool = False
) -> BoardReport:
    """Ask for a report; it is generated in the background once this commits. The first
    edition's figures are as at the half-year's last day, so asking again gives the same
    figures; an ``updated`` edition's are as at today, counting the facts recorded since,
    and says so. Only a half-year that has ended has an updated edition."""
    _own(actor, service)
    today = timezone.localdate()
    if updated and not period.closed(today):
        raise DomainError("Only a half-year that has ended has an updated edition.")
    report = BoardReport.objects.create(
        service=service,
        period_start=period.start,
        period_end=period.end,
        requested_by=actor,
        requested_at=timezone.now(),
        as_of=today if updated else None,
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="report.requested",
        obj=report,
        subject_id=None,
        summary=f"RR Board report asked for: {period}" + (" (updated edition)" if updated else ""),
    )
    transaction.on_commit(lambda: generate_board_report.enqueue(report.pk))
    return report
