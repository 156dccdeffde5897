"""Background generation of the RR Board report (Django's Tasks API)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pathways.core import leases
from pathways.core.audit import AuditKind, audit
from pathways.core.periods import Period, parse
from pathways.reports import board, documents
from pathways.reports.models import BoardReport, Commentary, ReportStatus

logger = logging.getLogger(__name__)
LEASE = "reports.board"
# Kept as the failed report's error when the process generating it died part way.
WORKER_STOPPED = "WorkerStopped"


def _progress(report_id: int) -> board.Progress:
    def note(percent: int, text: str) -> None:
        BoardReport.objects.filter(pk=report_id).update(
            status=ReportStatus.RUNNING, progress=percent, progress_note=text
        )

    return note


@task()
@leases.leased(LEASE, "report_id")
def generate_board_report(report_id: int) -> None:
    """Compute the figures, then the PDF and the spreadsheet, saving progress as it goes."""
    report = BoardReport.objects.select_related("service").get(pk=report_id)
    progress = _progress(report_id)
    try:
        period = parse(Period(report.period_start, report.period_end).key)
        commentary = (
            Commentary.objects.filter(
                service=report.service, period_start=period.start, period_end=period.end
            )
            .values_list("text", flat=True)
            .first()
            or ""
        )
        figures = board.build(
            report.service,
            period,
            commentary=commentary,
            on_progress=progress,
            as_of=report.as_of,
        )
        progress(75, "Writing the PDF")
        pdf = documents.render_pdf(figures)
        progress(90, "Writing the spreadsheet")
        xlsx = documents.render_xlsx(figures)
    except Exception as error:
        # Logged by id only: logs never get figures, and the error's message (which can
        # quote the commentary or a name) is withheld from the log and not kept.
        logger.exception("RR Board report %s failed", report_id)
        BoardReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        BoardReport.objects.filter(pk=report_id).update(
            status=ReportStatus.DONE,
            progress=100,
            progress_note="Ready",
            figures=figures,
            pdf=pdf,
            xlsx=xlsx,
            finished_at=timezone.now(),
        )
        # Whoever is told a report is ready (the service's commissioners: notifications)
        # reads it from this event: its service and period, never a figure.
        audit(
            actor=None,
            kind=AuditKind.CHANGE,
            action="report.ready",
            obj=report,
            subject_id=None,
            summary=f"RR Board report ready: {period}",
            detail={"service_id": report.service_id, "period": str(period)},
        )


@leases.on_abandoned(LEASE)
def report_abandoned(report_id: int, data: dict[str, object]) -> None:
    """The worker generating this report died: it fails, and can be asked for again."""
    BoardReport.objects.filter(
        pk=report_id, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).update(status=ReportStatus.FAILED, error=WORKER_STOPPED, finished_at=timezone.now())
