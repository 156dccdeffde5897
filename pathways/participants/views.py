"""A person's record: who they are, their referrals, and what has happened."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pathways.contacts.selectors import concerns_for
from pathways.core.access import Action, Role, can, role_of
from pathways.core.audit import AuditKind, audit
from pathways.core.exports import csv_response
from pathways.core.http import AuthenticatedHttpRequest, refuse
from pathways.core.pagination import paginate
from pathways.participants import selectors
from pathways.placements import selectors as placement_selectors
from pathways.plans.charts import progress_chart
from pathways.plans.selectors import latest_readings, progress_of


@login_required
def participant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get_for(request.user, pk)
    referrals = selectors.referrals_of(request.user, participant)
    progress = progress_of(latest_readings(referrals))
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
            **placement_selectors.participant_section(request.user, participant),
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


@login_required
def participant_audit_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person's audit trail as CSV (managers only); the export is itself audited."""
    if not can(request.user, Action.SEE_ACCESS_LOG):
        refuse(request)
    participant = selectors.participant_get_for(request.user, pk)
    events = selectors.audit_trail_for(request.user, participant)
    with transaction.atomic():
        audit(
            actor=request.user,
            kind=AuditKind.EXPORT,
            action="audit_trail.exported",
            obj=participant,
            subject_id=participant.pk,
            summary="Audit trail exported",
        )
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
