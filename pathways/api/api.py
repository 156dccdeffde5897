"""The integration API, version 1 (docs/api.md): operations parse input, call one service
or selector, and answer. Errors are problem details (``problems``)."""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import File, Form, Header, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from pydantic import Field, field_validator

from pathways.api import selectors, services
from pathways.api.auth import ClientToken, client_of
from pathways.api.problems import (
    PROBLEM_JSON,
    Problem,
    field_errors,
    problem_response,
    schema_errors,
)
from pathways.api.schemas import (
    EqualityOut,
    FiguresOut,
    ImportOut,
    ProblemOut,
    ReferralIn,
    ReferralOut,
    ReferralPage,
)
from pathways.api.scopes import FIGURES_READ, IMPORTS_WRITE, REFERRALS_READ, REFERRALS_WRITE
from pathways.core import periods
from pathways.core.audit import AuditKind, audit, audit_list, audit_refusal, viewed_or_404
from pathways.core.errors import DomainError
from pathways.imports.forms import UploadForm
from pathways.imports.models import ImportBatch, Kind
from pathways.imports.services import batch_create
from pathways.imports.tasks import run_import
from pathways.imports.views import upload_dir
from pathways.outcomes.equality import published_counts
from pathways.outcomes.selectors import STATUS_WORDS, measures_for_period

logger = logging.getLogger(__name__)

DESCRIPTION = (
    "Referrals from probation systems, figures for commissioners and probation extracts by "
    "machine. Authenticate with OAuth2 client credentials at /api/v1/oauth/token/; every "
    "call is audited as the client. Errors are RFC 9457 problem details. /api/v1/docs/ "
    "describes clients, scopes, idempotency, pagination and rate limits."
)


class PathwaysApi(NinjaAPI):
    def _get_urls(self) -> Any:
        """Without django-ninja's root page (a bare 404): /api/v1/docs/ is the API's page."""
        return [url for url in super()._get_urls() if getattr(url, "name", "") != "api-root"]

    def get_root_path(self, path_params: Any) -> str:
        return reverse(f"{self.urls_namespace}:openapi-json").removesuffix("openapi.json")

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Problems are served as application/problem+json, and each operation names the
        scope it needs."""
        schema = super().get_openapi_schema(**kwargs)
        for item in schema["paths"].values():
            for operation in item.values():
                # The scheme with the scope the operation needs (``_scope``), not also bare.
                scoped = [need for need in operation.get("security", []) if any(need.values())]
                if scoped:
                    operation["security"] = scoped
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_JSON: content["application/json"]}
        return schema


api = PathwaysApi(
    title="Pathways API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


def _scope(scope: str) -> dict[str, Any]:
    return {
        "auth": ClientToken(scope),
        "openapi_extra": {"security": [{"ClientToken": [scope]}]},
    }


def _problems(*codes: int) -> dict[int, Any]:
    return dict.fromkeys((401, 403, 429, *codes), ProblemOut)


# ---------------------------------------------------------------- errors


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(
        exc.status, exc.detail, errors=exc.errors, headers=exc.headers, instance=request.path
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        401,
        "Send a valid token: 'Authorization: Bearer <token>' from /api/v1/oauth/token/.",
        instance=request.path,
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        422,
        "The request has errors: see the list of fields.",
        errors=schema_errors(list(exc.errors)),
        instance=request.path,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(404, "Nothing of yours was found there.", instance=request.path)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, str(exc), instance=request.path)


@api.exception_handler(MultiPartParserError)
def _unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        400, "The request's body could not be read as multipart form data.", instance=request.path
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(413, "The request's body is too large.", instance=request.path)


@api.exception_handler(Exception)
def _failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API operation failed")
    return problem_response(500, "Something went wrong. Try again later.", instance=request.path)


# ---------------------------------------------------------------- referrals


def _referral(client: Any, pk: int) -> dict[str, Any]:
    return selectors.shown(selectors.referrals_of(client).get(pk=pk))


@api.post(
    "/referrals",
    response={201: ReferralOut, **_problems(400, 413, 422)},
    summary="Make a referral",
    tags=["referrals"],
    **_scope(REFERRALS_WRITE),
)
def referral_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReferralIn,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="A key of your own for this referral: sent again with the same body, "
        "the same referral is answered; never two.",
    ),
) -> Any:
    """The same questions, rules and messages as the referral form. A person who may be
    known already is held for the service manager to check: the status says only
    "held_for_review"."""
    client = client_of(request)
    try:
        sent = services.referral_send(client=client, body=payload.model_dump(), key=idempotency_key)
    except services.FormInvalid as invalid:
        raise Problem(
            422,
            "The referral has errors: see the list of fields.",
            errors=field_errors(invalid.errors),
        ) from None
    except DomainError as error:
        raise Problem(422, error.message) from None
    if sent.replayed:
        audit(
            actor=client.account,
            kind=AuditKind.VIEW,
            action="referral.viewed",
            obj=sent.referral,
            subject_id=sent.referral.participant_id,
            summary="Sent again with the same Idempotency-Key",
        )
        response["Idempotent-Replayed"] = "true"
    return Status(201, _referral(client, sent.referral.pk))


@api.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut, **_problems(404, 422)},
    summary="A referral's status and history",
    tags=["referrals"],
    **_scope(REFERRALS_READ),
)
def referral_get(request: HttpRequest, referral_id: int) -> Any:
    """Only a referral this client made; any other is not found."""
    client = client_of(request)
    referral = viewed_or_404(
        client.account,
        selectors.referrals_of(client),
        referral_id,
        subject_id=lambda found: found.participant_id,
    )
    return selectors.shown(referral)


class ChangedQuery(Schema):
    changed_since: datetime.datetime | None = Field(
        default=None, description="Only referrals changed at or after this time (ISO 8601)."
    )
    cursor: str | None = Field(default=None, max_length=500, description="From next_cursor.")
    limit: int = Field(
        default=50, ge=1, le=selectors.MAX_PAGE, description="Referrals a page: 1 to 100."
    )

    @field_validator("changed_since", mode="before")
    @classmethod
    def _a_time_as_written(cls, value: Any) -> Any:
        """A time as ISO 8601 only: pydantic would take a bare number as a Unix time."""
        if value is not None and not re.match(r"^\d{4}-\d{2}-\d{2}", str(value)):
            raise ValueError("Give a time as ISO 8601, like 2026-11-30T00:00:00Z")
        return value


@api.get(
    "/referrals",
    response={200: ReferralPage, **_problems(422)},
    summary="The client's referrals changed since a time",
    tags=["referrals"],
    **_scope(REFERRALS_READ),
)
def referral_list(request: HttpRequest, query: Query[ChangedQuery]) -> Any:
    """Oldest change first, in a stable order (change time, then id); follow next_cursor
    until it is null, then keep the last change time to ask again later."""
    client = client_of(request)
    since = query.changed_since
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since, datetime.UTC)
    try:
        page, following = selectors.changed_page(
            client, since=since, cursor=query.cursor, limit=query.limit
        )
    except ValueError as error:
        raise Problem(
            422, str(error), errors=[{"field": "cursor", "message": str(error)}]
        ) from None
    audit_list(client.account, "api.referrals", page)
    return {"items": [selectors.shown(referral) for referral in page], "next_cursor": following}


# ---------------------------------------------------------------- figures


class PeriodQuery(Schema):
    start: datetime.date = Field(description="The period's first day (YYYY-MM-DD).")
    end: datetime.date = Field(description="The period's last day (YYYY-MM-DD).")
    service: str | None = Field(
        default=None, max_length=50, description="The service's slug: the client's own."
    )


def _period_service(request: HttpRequest, query: PeriodQuery) -> tuple[Any, periods.Period]:
    client = client_of(request)
    if query.service is not None and query.service != client.service.slug:
        audit_refusal(actor=client.account, object_type="accounts.service", object_id="slug")
        raise Http404("No service")
    try:
        period = periods.parse(f"{query.start.isoformat()}:{query.end.isoformat()}")
    except ValueError as error:
        raise Problem(422, str(error), errors=[{"field": "end", "message": str(error)}]) from None
    return client, period


def _figures_viewed(client: Any, what: str, period: periods.Period) -> None:
    audit(
        actor=client.account,
        kind=AuditKind.VIEW,
        action=f"api.{what}_viewed",
        obj=client,
        subject_id=None,
        summary=f"{what.capitalize()} of {period.start} to {period.end} read through the API",
        detail={"service": client.service_id, "period": period.key},
    )


@api.get(
    "/figures",
    response={200: FiguresOut, **_problems(404, 422)},
    summary="Every measure for a period",
    tags=["figures"],
    **_scope(FIGURES_READ),
)
def figures(request: HttpRequest, query: Query[PeriodQuery]) -> Any:
    """As the measures command gives them: each measure's definition, figure, targets and
    status. Aggregate only: never a person."""
    client, period = _period_service(request, query)
    results = measures_for_period(client.service, period)
    _figures_viewed(client, "figures", period)
    return {
        "service": client.service.slug,
        "start": period.start,
        "end": period.end,
        "measures": [
            {
                "key": result.measure.key,
                "number": result.measure.number,
                "name": result.measure.name,
                "definition": result.measure.definition,
                "unit": result.measure.unit,
                "target_unit": result.measure.target_unit,
                "higher_is_better": result.measure.higher_is_better,
                "value": result.figure.value,
                "numerator": result.figure.numerator,
                "denominator": result.figure.denominator,
                "breakdown": [
                    {"label": label, "count": count} for label, count in result.figure.breakdown
                ],
                "note": result.figure.note,
                "status": result.status or None,
                "status_words": result.status_words,
                "targets": [
                    {
                        "kind": target.kind,
                        "value": float(target.value),
                        "status": target.status,
                        "status_words": STATUS_WORDS.get(target.status, ""),
                        "pro_rata": None if target.pro_rata is None else float(target.pro_rata),
                    }
                    for target in result.targets
                ],
            }
            for result in results
        ],
    }


@api.get(
    "/figures/equality",
    response={200: EqualityOut, **_problems(404, 422)},
    summary="Equality monitoring counts, disclosure-controlled",
    tags=["figures"],
    **_scope(FIGURES_READ),
)
def figures_equality(request: HttpRequest, query: Query[PeriodQuery]) -> Any:
    """Referrals received in the period by each characteristic and stage, with small
    counts withheld (primary and secondary suppression), as the commissioner sees them."""
    client, period = _period_service(request, query)
    published = published_counts(client.service, period.start, period.end)
    _figures_viewed(client, "equality", period)
    return {
        "service": client.service.slug,
        "start": period.start,
        "end": period.end,
        **published,
    }


# ---------------------------------------------------------------- extracts


def _import(batch: ImportBatch) -> dict[str, Any]:
    report = batch.report or {}
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "dry_run": batch.dry_run,
        "uploaded_at": batch.uploaded_at,
        "finished_at": batch.finished_at,
        "total_rows": batch.total_rows,
        "rows_processed": batch.rows_processed,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "skipped_unknown": batch.skipped_unknown,
        "error_count": batch.error_count,
        "errors": [
            {key: str(error.get(key, "")) for key in ("column", "value", "expected")}
            | {"row": int(error.get("row", 0))}
            for error in report.get("errors", [])
        ],
        "skipped_rows": [int(row.get("row", 0)) for row in report.get("unknown", [])],
        "failure": str(report.get("failure", "")),
    }


def _import_viewed(client: Any, batch: ImportBatch) -> None:
    """Errors quote the file's values (CRNs among them): each read of them is audited, as
    on the import's page."""
    holds_rows = bool(batch.report.get("errors") or batch.report.get("unknown"))
    audit(
        actor=client.account,
        kind=AuditKind.VIEW,
        action="import.report_viewed" if holds_rows else "import.viewed",
        obj=batch,
        subject_id=None,
        summary=f"Import {batch.pk} read through the API",
        detail={"errors": batch.error_count, "skipped": batch.skipped_unknown},
    )


@api.post(
    "/imports",
    response={202: ImportOut, **_problems(400, 413, 422)},
    summary="Upload a probation extract",
    tags=["extracts"],
    **_scope(IMPORTS_WRITE),
)
def import_create(
    request: HttpRequest,
    kind: Form[Kind],
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Any:
    """The same rules as the page: CSV (UTF-8) or XLSX with a header row, every row checked
    first and nothing changed unless all are valid. The import runs in the background:
    read its state with its id."""
    client = client_of(request)
    files: MultiValueDict[str, Any] = MultiValueDict({"file": [file]})
    form = UploadForm({"kind": str(kind), "dry_run": "on" if dry_run else ""}, files)
    if not form.is_valid():
        raise Problem(
            422, "The upload has errors: see the list of fields.", errors=field_errors(form.errors)
        )
    upload = form.cleaned_data["file"]
    path = upload_dir() / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    batch = batch_create(
        actor=client.account,
        service=client.service,
        kind=form.cleaned_data["kind"],
        path=path,
        file_name=Path(upload.name).name,
        dry_run=form.cleaned_data["dry_run"],
    )
    audit(
        actor=client.account,
        kind=AuditKind.CHANGE,
        action="import.uploaded",
        obj=batch,
        subject_id=None,
        summary=f"Import {batch.pk} uploaded through the API",
        detail={"kind": batch.kind, "dry_run": batch.dry_run},
    )
    run_import.enqueue(batch_id=batch.pk, path=str(path))
    batch.refresh_from_db()
    return Status(202, _import(batch))


@api.get(
    "/imports/{import_id}",
    response={200: ImportOut, **_problems(404, 422)},
    summary="An import's state, counts and errors",
    tags=["extracts"],
    **_scope(IMPORTS_WRITE),
)
def import_get(request: HttpRequest, import_id: int) -> Any:
    """Only an import this client uploaded; any other is not found."""
    client = client_of(request)
    batch = selectors.imports_of(client).filter(pk=import_id).first()
    if batch is None:
        audit_refusal(actor=client.account, object_type="imports.importbatch", object_id=import_id)
        raise Http404("No import")
    _import_viewed(client, batch)
    return _import(batch)
