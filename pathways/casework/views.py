"""The working day's pages that join a person's episode across apps: the person's record
(who they are, their referrals, plan progress, placements, orders, what has happened), find
a person, the access log and audit-trail export, the caseload, the end of support (with the
plan's readings), the to-do list and the placement page (with its contacts). They keep the
URL names of the records they show (``casework/urls.py``, composed in config/urls.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pathways.casework import queues, selectors
from pathways.casework.equality import equality_section
from pathways.contacts import selectors as contact_selectors
from pathways.contacts.selectors import concerns_for
from pathways.convictions.selectors import conviction_section
from pathways.core.access import Action, Role, can, role_of
from pathways.core.audit import audit_list
from pathways.core.errors import ProcessingRestricted
from pathways.core.exports import csv_response
from pathways.core.forms import Form
from pathways.core.http import AuthenticatedHttpRequest, requires
from pathways.core.pagination import paginate
from pathways.outcomes.selectors import outcomes_of
from pathways.participants.guards import export_audited, restricted_page
from pathways.placements import selectors as placement_selectors
from pathways.placements.views import placement_actions_allowed
from pathways.plans.charts import progress_chart
from pathways.plans.selectors import (
    latest_readings,
    progress_of,
    reading_kinds,
)
from pathways.referrals import people
from pathways.referrals import selectors as referral_selectors
from pathways.referrals import services as referral_services
from pathways.referrals.forms import EndForm
from pathways.referrals.models import EndReason, Referral
from pathways.referrals.status import ReferralStatus
from pathways.referrals.views import referral_action_page


@login_required
def participant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = people.participant_get_for(request.user, pk)
    referrals = people.referrals_of(request.user, participant)
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
            "page": paginate(request, people.timeline_for(request.user, participant)),
            "can_see_access_log": can(request.user, Action.SEE_ACCESS_LOG),
            "can_restrict": can(request.user, Action.RESTRICT_PROCESSING),
            "can_export": can(request.user, Action.SUBJECT_ACCESS),
            "can_record_support": can(request.user, Action.RECORD_SUPPORT),
            **placement_selectors.participant_section(request.user, participant),
            "orders": orders,
            "offences": offences,
            "can_record_outcomes": can(request.user, Action.RECORD_OUTCOMES),
            **equality_section(request.user, participant),
            **conviction_section(request.user, participant),
        },
    )


@requires(Action.SEE_ACCESS_LOG)
def participant_access_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = people.participant_get_for(request.user, pk)
    return render(
        request,
        "participants/access_log.html",
        {
            "participant": participant,
            "page": paginate(request, people.access_log_for(request.user, participant)),
        },
    )


@requires(Action.SEE_ACCESS_LOG)
def participant_audit_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person's audit trail as CSV (managers only); the export is itself audited."""
    participant = people.participant_get_for(request.user, pk)
    events = people.audit_trail_for(request.user, participant)
    try:
        export_audited(request, participant, "audit_trail")
    except ProcessingRestricted:
        return restricted_page(request, participant)
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


class FindForm(Form):
    query = forms.CharField(
        label="CRN, PNC ID, prison number or name",
        max_length=100,
        help_text="For example, X123456 or Jo Bloggs",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter a CRN, PNC ID, prison number or name"},
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.FIND_PEOPLE)
def participant_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search is posted, never put in the URL, so no identifier or name lands in a log."""
    form = FindForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = people.participant_search(request.user, form.cleaned_data["query"])
        # The people shown (at most the limit); never what was typed.
        audit_list(request.user, "participant_search", results[: people.SEARCH_LIMIT])
    return render(
        request,
        "participants/find.html",
        {"form": form, "results": results, "limit": people.SEARCH_LIMIT},
    )


@requires(Action.SEE_CASELOAD)
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, selectors.caseload_for(request.user))
    unallocated = referral_selectors.unallocated_for(request.user)[:50]
    audit_list(request.user, "caseload", page, unallocated)
    return render(request, "referrals/caseload.html", {"page": page, "unallocated": unallocated})


def _waiting(referral: Referral) -> bool:
    return referral.status == ReferralStatus.WAITING


def _end_words(referral: Referral) -> str:
    """Someone waiting has no support to end: they are removed from the waiting list."""
    return "Remove from the waiting list" if _waiting(referral) else "End support"


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.END_SUPPORT)
def referral_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(referral: Referral, data: dict[str, Any]) -> None:
        referral_services.referral_end(
            actor=request.user,
            referral=referral,
            reason=data["reason"],
            note=data["note"],
            closing_summary=data.get("closing_summary", ""),
        )

    return referral_action_page(
        request,
        pk,
        allowed_key="can_end",
        title=_end_words,
        button=_end_words,
        intro="referrals/intro/end.html",
        make_form=lambda data, r: EndForm(
            data,
            reasons=referral_selectors.reasons(EndReason),
            receiving_support=r.status == ReferralStatus.ACTIVE,
        ),
        perform=perform,
        done=lambda r: "Removed from the waiting list" if _waiting(r) else "Support ended",
        context=lambda r: {"readings": reading_kinds(r)},
    )


@requires(Action.SEE_TODO)
def todo(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The work queue (``casework/queues.py``): what needs doing, each item with its count
    and oldest cases first; the whole service for the manager (their home page), a
    worker's own people for them."""
    items = queues.work_queue(request.user)
    audit_list(request.user, "todo", *queues.records_shown(items))
    return render(
        request,
        "contacts/todo.html",
        {"queues": items, "show_worker": role_of(request.user) is Role.MANAGER},
    )


@requires(Action.MANAGE_PLACEMENTS)
def placement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = placement_selectors.placement_get_for(request.user, pk)
    return render(
        request,
        "placements/detail.html",
        {
            "placement": placement,
            "opportunity": placement.opportunity,
            "checks": placement.sustainment_checks.select_related("checked_by"),
            # Contacts follow the placement's scope; their notes need SEE_CONTACTS too.
            "contacts": contact_selectors.contacts_at(placement)[:50]
            if can(request.user, Action.SEE_CONTACTS)
            else None,
            "can_record_contact": can(request.user, Action.RECORD_SUPPORT)
            and placement.referral.status == ReferralStatus.ACTIVE,
            **placement_actions_allowed(placement),
        },
    )
