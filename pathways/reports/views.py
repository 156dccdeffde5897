"""The RR Board report: choose a half-year, write the commentary, generate, read, download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pathways.core import periods
from pathways.core.access import Action, can
from pathways.core.audit import AuditKind, audit, audit_refusal
from pathways.core.forms import Form, text_area
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.reports import services, summary
from pathways.reports.models import BoardReport, Commentary, ReportStatus

HALF_YEARS = 6


def _half_years() -> list[periods.Period]:
    return periods.previous(periods.half_year(timezone.localdate()), "half", HALF_YEARS)[::-1]


def _half_year(key: str) -> periods.Period:
    """One of the offered half-years (the last closed one when none is given), else 404."""
    offered = _half_years()
    if not key:
        return offered[1]
    found = next((p for p in offered if p.key == key), None)
    if found is None:
        raise Http404("Not a half-year on offer")
    return found


@requires(Action.SEE_REPORTS)
def board_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    reports = BoardReport.objects.filter(service=service).select_related("requested_by")
    commentaries = set(
        Commentary.objects.filter(service=service).values_list("period_start", "period_end")
    )
    return render(
        request,
        "reports/board_list.html",
        {
            "page": paginate(request, reports.defer("figures", "pdf", "xlsx")),
            "half_years": [
                (period, (period.start, period.end) in commentaries) for period in _half_years()
            ],
            "can_write": can(request.user, Action.WRITE_REPORTS),
        },
    )


@login_required
@require_POST
@requires(Action.WRITE_REPORTS)
def board_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    period = _half_year(request.POST.get("period", ""))
    report = services.board_report_request(
        actor=request.user,
        service=service,
        period=period,
        updated=request.POST.get("edition") == "updated" and period.closed(),
    )
    return redirect("reports:board_detail", pk=report.pk)


class CommentaryForm(Form):
    text = text_area(
        "Commentary",
        hint="What the figures mean, what went well and what did not, and what happens next. "
        "Do not name anyone: the report goes to the board.",
        rows=12,
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.WRITE_REPORTS)
def commentary(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    period = _half_year(request.GET.get("period", ""))
    existing = Commentary.objects.filter(
        service=service, period_start=period.start, period_end=period.end
    ).first()
    form = CommentaryForm(request.POST or None, initial={"text": existing.text if existing else ""})
    return form_page(
        request,
        form=form,
        perform=lambda data: services.commentary_save(
            actor=request.user, service=service, period=period, text=data["text"]
        ),
        title="Commentary for the board",
        button="Save commentary",
        done="Commentary saved",
        caption=str(period),
        back_url=reverse("reports:board_list"),
        back_label="Back to RR Board reports",
    )


def _report(request: AuthenticatedHttpRequest, pk: int) -> BoardReport:
    service = service_of(request.user)
    report = BoardReport.objects.filter(service=service, pk=pk).first()
    if report is None:
        audit_refusal(actor=request.user, object_type="reports.boardreport", object_id=pk)
        raise Http404("No such report")
    return report


@requires(Action.SEE_REPORTS)
def board_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(
        request,
        "reports/board_detail.html",
        {
            "report": report,
            "figures": report.figures,
            "running": report.status != "done",
            "can_write": can(request.user, Action.WRITE_REPORTS),
        },
    )


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@requires(Action.SEE_REPORTS)
def board_download(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    report = _report(request, pk)
    content = report.pdf if kind == "pdf" else report.xlsx
    if report.status != ReportStatus.DONE or content is None:
        raise Http404("The report is not ready")
    audit(
        actor=request.user,
        kind=AuditKind.VIEW,
        action=f"report.downloaded_{kind}",
        obj=report,
        subject_id=None,
        summary=f"RR Board report downloaded as {kind.upper()}",
    )
    response = HttpResponse(bytes(content), content_type=CONTENT_TYPES[kind])
    name = f"rr-board-report-{report.period_start:%Y-%m}-to-{report.period_end:%Y-%m}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(Action.SEE_REPORTS)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The commissioner's home: the last closed half-year's figures from its RR Board
    report, and the half-year in progress (``reports/summary.py``)."""
    service = service_of(request.user)
    today = timezone.localdate()
    return render(
        request,
        "reports/home.html",
        {
            "service": service,
            "closed": summary.last_closed(service, today),
            "open": summary.in_progress(service, today),
            "can_write": can(request.user, Action.WRITE_REPORTS),
        },
    )
