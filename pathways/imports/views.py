"""Pages for probation imports, conflicts and the Justice Data Lab list: manager only;
every other role is shown 404 and the refusal is audited."""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pathways.core.access import Action, can
from pathways.core.audit import AuditKind, audit, audit_list, audit_refusal
from pathways.core.exports import safe_cell
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pagination import paginate
from pathways.imports import selectors
from pathways.imports.forms import UploadForm
from pathways.imports.jdl import jdl_export
from pathways.imports.kinds import SPECS
from pathways.imports.models import ImportBatch, Kind
from pathways.imports.services import batch_create
from pathways.imports.tasks import run_import


def upload_dir() -> Path:
    """Where uploaded files wait for the background task (removed once it has run). With
    the database task backend the worker must see the same directory."""
    directory = Path(
        getattr(settings, "IMPORT_UPLOAD_DIR", Path(settings.BASE_DIR) / "var" / "imports")
    )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.IMPORT_PROBATION_DATA)
def imports_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = upload_dir() / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        batch = batch_create(
            actor=request.user,
            service=service,
            kind=form.cleaned_data["kind"],
            path=path,
            file_name=Path(upload.name).name,
            dry_run=form.cleaned_data["dry_run"],
        )
        run_import.enqueue(batch_id=batch.pk, path=str(path))
        return redirect("imports:batch", pk=batch.pk)
    return render(
        request,
        "imports/home.html",
        {
            "form": form,
            "page": paginate(request, selectors.batches_for(request.user)),
            "specs": [(Kind(kind).label, kind, spec) for kind, spec in SPECS.items()],
            "cohort_rates": selectors.cohort_ete_rates(request.user),
            "can_export_jdl": can(request.user, Action.EXPORT_JDL),
        },
    )


def _batch(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    batch = selectors.batches_for(request.user).filter(pk=pk).first()
    if batch is None:
        audit_refusal(actor=request.user, object_type="imports.importbatch", object_id=pk)
        raise Http404("No import found")
    return batch


def _holds_rows(batch: ImportBatch) -> bool:
    """The report quotes rows of the file (values and CRNs): personal data."""
    return bool(batch.report.get("errors") or batch.report.get("unknown"))


def _audit_report(
    request: AuthenticatedHttpRequest, batch: ImportBatch, verb: str, kind: str
) -> None:
    """One audit event for each view or download of an import's error report (it quotes
    CRNs and values of the file), naming the import."""
    audit(
        actor=request.user,
        kind=kind,
        action=f"import.report_{verb}",
        obj=batch,
        subject_id=None,
        summary=f"Error report of import {batch.pk} {verb}",
        detail={
            "errors": len(batch.report.get("errors", [])),
            "skipped": len(batch.report.get("unknown", [])),
        },
    )


@requires(Action.IMPORT_PROBATION_DATA)
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    progress = 0
    if batch.running and batch.total_rows:
        progress = min(100, round(100 * batch.rows_processed / batch.total_rows))
    deleted = batch.report.get("deleted_on")
    if _holds_rows(batch):
        _audit_report(request, batch, "viewed", AuditKind.VIEW)
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "report": batch.report,
            "progress": progress,
            "report_deleted_on": datetime.date.fromisoformat(deleted) if deleted else None,
        },
    )


@requires(Action.IMPORT_PROBATION_DATA)
def batch_errors_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The kept errors and skipped rows as CSV, to fix the file in a spreadsheet."""
    batch = _batch(request, pk)
    _audit_report(request, batch, "downloaded", AuditKind.EXPORT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Column", "Value", "Expected"])
    for error in batch.report.get("errors", []):
        writer.writerow([safe_cell(error[k]) for k in ("row", "column", "value", "expected")])
    for skipped in batch.report.get("unknown", []):
        writer.writerow(
            [
                skipped["row"],
                "crn",
                safe_cell(skipped["crn"]),
                "skipped: not a person of this service",
            ]
        )
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-report.csv"'
    return response


@requires(Action.IMPORT_PROBATION_DATA)
def conflicts(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = selectors.outcome_conflicts_for(request.user)
    # The page names people: one view event naming them and both records of each difference.
    audit_list(
        request.user,
        "imports.conflicts",
        [conflict.participant for conflict in found],
        [conflict.hand for conflict in found],
        [conflict.imported for conflict in found],
    )
    return render(request, "imports/conflicts.html", {"conflicts": found})


@requires(Action.EXPORT_JDL)
def jdl(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = selectors.jdl_count(request.user)
    return render(
        request,
        "imports/jdl.html",
        {
            "count": count,
            "minimum": selectors.JDL_MINIMUM,
            "too_few": count < selectors.JDL_MINIMUM,
            "columns": selectors.JDL_COLUMNS,
        },
    )


@requires(Action.EXPORT_JDL)
def jdl_download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    content, count = jdl_export(actor=request.user, fmt=fmt)
    if count < selectors.JDL_MINIMUM:
        messages.warning(
            request,
            f"The list has {count} people: the Justice Data Lab needs at least "
            f"{selectors.JDL_MINIMUM} for an analysis.",
        )
    content_type = (
        "text/csv"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="justice-data-lab.{fmt}"'
    response["X-Participant-Count"] = str(count)
    return response
