"""A person's record: who they are, their referrals, and what has happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.contacts.selectors import concerns_for
from pathways.core.access import Action, Role, can, role_of
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import ProcessingRestricted
from pathways.core.exports import csv_response
from pathways.core.http import AuthenticatedHttpRequest, refuse
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.core.pdf import render_pdf
from pathways.outcomes.selectors import outcomes_of
from pathways.participants import selectors, services
from pathways.participants.equality import equality_section
from pathways.participants.guards import unrestricted
from pathways.participants.models import Participant
from pathways.participants.subject_access import Section, as_json, subject_access
from pathways.placements import selectors as placement_selectors
from pathways.plans.charts import progress_chart
from pathways.plans.selectors import latest_readings, progress_of


@login_required
def participant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get_for(request.user, pk)
    referrals = selectors.referrals_of(request.user, participant)
    progress = progress_of(latest_readings(referrals))
    orders, offences = outcomes_of(request.user, participant)
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "referrals": referrals,
            "progress": progress,
            "chart": progress_chart(progress),
            "concerns": concerns_for(request.user, participant)[:20],
            "page": paginate(request, selectors.timeline_for(request.user, participant)),
            "can_see_access_log": can(request.user, Action.SEE_ACCESS_LOG),
            "can_restrict": can(request.user, Action.RESTRICT_PROCESSING),
            "can_export": can(request.user, Action.SUBJECT_ACCESS),
            **placement_selectors.participant_section(request.user, participant),
            "orders": orders,
            "offences": offences,
            "can_record_outcomes": can(request.user, Action.RECORD_OUTCOMES),
            **equality_section(request.user, participant),
        },
    )


@login_required
def participant_access_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can(request.user, Action.SEE_ACCESS_LOG):
        refuse(request)
    participant = selectors.participant_get_for(request.user, pk)
    return render(
        request,
        "participants/access_log.html",
        {
            "participant": participant,
            "page": paginate(request, selectors.access_log_for(request.user, participant)),
        },
    )


def _exported(request: AuthenticatedHttpRequest, participant: Participant, what: str) -> None:
    """Audit an export of the person's records; refused while processing is restricted."""
    with transaction.atomic():
        unrestricted(participant.pk)
        audit(
            actor=request.user,
            kind=AuditKind.EXPORT,
            action=f"{what}.exported",
            obj=participant,
            subject_id=participant.pk,
            summary=f"{what.replace('_', ' ').capitalize()} exported",
        )


def _restricted_page(request: AuthenticatedHttpRequest, participant: Participant) -> HttpResponse:
    messages.error(request, ProcessingRestricted().message)
    return redirect("participants:detail", participant.pk)


@login_required
def participant_audit_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person's audit trail as CSV (managers only); the export is itself audited."""
    if not can(request.user, Action.SEE_ACCESS_LOG):
        refuse(request)
    participant = selectors.participant_get_for(request.user, pk)
    events = selectors.audit_trail_for(request.user, participant)
    try:
        _exported(request, participant, "audit_trail")
    except ProcessingRestricted:
        return _restricted_page(request, participant)
    rows = (
        (
            event.at.isoformat(timespec="seconds"),
            event.actor.username if event.actor else "system",
            event.actor.get_role_display() if event.actor else "",
            event.get_kind_display(),
            event.action,
            event.object_type,
            event.object_id,
            event.episode_id,
            event.summary,
        )
        for event in events.iterator(chunk_size=1000)
    )
    return csv_response(
        f"audit-trail-person-{participant.pk}.csv",
        [
            "when",
            "user",
            "role",
            "kind",
            "action",
            "record type",
            "record id",
            "episode",
            "summary",
        ],
        rows,
    )


class FindForm(forms.Form):
    query = forms.CharField(
        label="CRN, PNC ID, prison number or name",
        max_length=100,
        help_text="For example, X123456 or Jo Bloggs",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter a CRN, PNC ID, prison number or name"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search is posted, never put in the URL, so no identifier or name lands in a log."""
    if role_of(request.user) not in (Role.REFERRER, Role.WORKER, Role.MANAGER):
        refuse(request)
    form = FindForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.participant_search(request.user, form.cleaned_data["query"])
    return render(
        request,
        "participants/find.html",
        {"form": form, "results": results, "limit": selectors.SEARCH_LIMIT},
    )


def _subject_access(
    request: AuthenticatedHttpRequest,
    pk: int,
    respond: Callable[[Participant, list[Section]], HttpResponse],
) -> HttpResponse:
    """Everything held about the person (managers only), in one of three forms; each export
    is audited, and refused while processing is restricted."""
    if not can(request.user, Action.SUBJECT_ACCESS):
        refuse(request)
    participant = selectors.participant_get_for(request.user, pk)
    try:
        _exported(request, participant, "subject_access")
    except ProcessingRestricted:
        return _restricted_page(request, participant)
    return respond(participant, subject_access(participant))


def _download(response: HttpResponse, participant: Participant, extension: str) -> HttpResponse:
    name = f"subject-access-{participant.pk}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def participant_subject_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Readable, on screen."""
    return _subject_access(
        request,
        pk,
        lambda participant, sections: render(
            request,
            "participants/subject_access.html",
            {"participant": participant, "sections": sections},
        ),
    )


@login_required
def participant_subject_access_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Readable, as a PDF to disclose."""

    def respond(participant: Participant, sections: list[Section]) -> HttpResponse:
        document = render_pdf(
            "participants/subject_access_document.html",
            {"participant": participant, "sections": sections, "produced": timezone.now()},
        )
        return _download(HttpResponse(document, content_type="application/pdf"), participant, "pdf")

    return _subject_access(request, pk, respond)


@login_required
def participant_subject_access_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Machine-readable (JSON)."""
    return _subject_access(
        request,
        pk,
        lambda participant, sections: _download(
            JsonResponse(as_json(participant, sections), json_dumps_params={"indent": 2}),
            participant,
            "json",
        ),
    )


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="For example: the person says their record is wrong and we are checking it.",
        error_messages={"required": "Enter why"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_restrict(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Restrict processing of the person's records, or lift the restriction (managers)."""
    if not can(request.user, Action.RESTRICT_PROCESSING):
        refuse(request)
    participant = selectors.participant_get_for(request.user, pk)
    restricted = participant.processing_restricted_at is not None
    back = reverse("participants:detail", args=[participant.pk])

    def perform(data: dict[str, Any]) -> object:
        change = services.participant_unrestrict if restricted else services.participant_restrict
        return change(actor=request.user, participant=participant, reason=data["reason"])

    return form_page(
        request,
        form=RestrictForm(request.POST or None),
        perform=perform,
        title="Lift the restriction of processing" if restricted else "Restrict processing",
        button="Lift the restriction" if restricted else "Restrict processing",
        done="Restriction lifted" if restricted else "Processing restricted",
        caption=participant.full_name,
        back_url=back,
        back_label="Back to the record",
        intro="participants/_restrict_intro.html",
        context={"participant": participant, "restricted": restricted},
    )
