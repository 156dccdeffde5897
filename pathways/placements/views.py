"""Placement pages: parse input, call one service or selector, render.

Placements are personal data: every page fetches its placement or person through a scoped,
audited selector (404 outside the scope), and changes need MANAGE_PLACEMENTS.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pathways.core.access import Action
from pathways.core.audit import audit_list
from pathways.core.http import AuthenticatedHttpRequest, refuse, requires
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.employers import selectors as employer_selectors
from pathways.placements import selectors, services
from pathways.placements.forms import (
    DateForm,
    DecisionForm,
    EndEarlyForm,
    PutForwardForm,
    SustainmentForm,
    WorkProfileForm,
)
from pathways.placements.models import Placement
from pathways.placements.status import PlacementStatus
from pathways.referrals.people import participant_get_for


@requires(Action.MANAGE_PLACEMENTS)
def placement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = request.GET.get("status", "")
    status = PlacementStatus(code) if code in PlacementStatus.values else None
    page = paginate(request, selectors.placement_list_for(request.user, status=status))
    sustainment_due = selectors.sustainment_checks_due_for(request.user)[:50]
    audit_list(request.user, "placement_list", page, sustainment_due)
    return render(
        request,
        "placements/list.html",
        {
            "page": page,
            "statuses": PlacementStatus.choices,
            "status": code,
            "sustainment_due": sustainment_due,
        },
    )


def placement_actions_allowed(placement: Placement) -> dict[str, bool]:
    status = placement.status
    return {
        "can_decide": status == PlacementStatus.PUT_FORWARD,
        "can_start": status == PlacementStatus.ACCEPTED,
        "can_complete": status == PlacementStatus.STARTED,
        "can_end": status in PlacementStatus.open(),
    }


def _action(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    allowed_key: str,
    make_form: Any,
    perform: Any,
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    placement = selectors.placement_get_for(request.user, pk)
    if not placement_actions_allowed(placement)[allowed_key]:
        messages.info(request, "That has already been done, or is no longer possible.")
        return redirect("placements:detail", pk=pk)
    back = reverse("placements:detail", args=[pk])
    return form_page(
        request,
        form=make_form(request.POST or None),
        perform=lambda data: perform(placement, data),
        title=title,
        caption=f"{placement.participant.full_name}: {placement.opportunity.title}",
        button=button,
        back_url=back,
        back_label="Back to the placement",
        done=done,
        success_url=lambda _p: back,
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_PLACEMENTS)
def placement_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        allowed_key="can_decide",
        make_form=DecisionForm,
        perform=lambda p, d: services.placement_decide(
            actor=request.user, placement=p, accepted=d["accepted"], on=d["on"], note=d["note"]
        ),
        title="Record the employer's decision",
        button="Save decision",
        done="Employer's decision recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_PLACEMENTS)
def placement_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        allowed_key="can_start",
        make_form=lambda data: DateForm(data, label="Start date"),
        perform=lambda p, d: services.placement_start(actor=request.user, placement=p, on=d["on"]),
        title="Record the start",
        button="Save start",
        done="Start recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_PLACEMENTS)
def placement_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        allowed_key="can_complete",
        make_form=lambda data: DateForm(data, label="Date completed"),
        perform=lambda p, d: services.placement_complete(
            actor=request.user, placement=p, on=d["on"]
        ),
        title="Record completion",
        button="Save completion",
        done="Completion recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_PLACEMENTS)
def placement_end_early(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        allowed_key="can_end",
        make_form=lambda data: EndEarlyForm(data, reasons=selectors.end_reasons()),
        perform=lambda p, d: services.placement_end_early(
            actor=request.user, placement=p, on=d["on"], reason=d["reason"], note=d["note"]
        ),
        title="End the placement early",
        button="End placement",
        done="Placement ended",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_PLACEMENTS)
def sustainment_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    check = selectors.sustainment_check_get_for(request.user, pk)
    placement = check.placement
    back = reverse("placements:detail", args=[placement.pk])
    if check.checked_on is not None:
        messages.info(request, "This check has already been recorded.")
        return redirect(back)
    return form_page(
        request,
        form=SustainmentForm(request.POST or None),
        perform=lambda d: services.sustainment_check_record(
            actor=request.user,
            check=check,
            checked_on=d["checked_on"],
            in_work=d["in_work"],
            note=d["note"],
        ),
        title=f"Record the {check.weeks}-week check",
        caption=f"{placement.participant.full_name}: {placement.opportunity.title}",
        intro="placements/intro/sustainment.html",
        context={"check": check},
        button="Save check",
        back_url=back,
        back_label="Back to the placement",
        done=f"{check.weeks}-week check recorded",
        success_url=lambda _c: back,
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_PLACEMENTS)
def put_forward(request: AuthenticatedHttpRequest, opportunity: int, person: int) -> HttpResponse:
    found = employer_selectors.opportunity_get_for(request.user, opportunity)
    if found is None:
        refuse(request)
    participant = participant_get_for(request.user, person)
    match = selectors.match_for(participant, found)
    return form_page(
        request,
        form=PutForwardForm(request.POST or None),
        perform=lambda d: services.placement_put_forward(
            actor=request.user, participant=participant, opportunity=found, note=d["note"]
        ),
        title=f"Put {participant.full_name} forward",
        caption=f"{found.title}, {found.employer.name}",
        intro="placements/intro/put_forward.html",
        context={"match": match},
        button="Put forward",
        back_url=reverse("employers:opportunity_matches", args=[found.pk]),
        back_label="Back to people who fit",
        done="Put forward",
        success_url=lambda placement: reverse("placements:detail", args=[placement.pk]),
    )


@requires(Action.MANAGE_PLACEMENTS)
def participant_matches(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open opportunities for a person, those that fit first, each with why or why not."""
    participant = participant_get_for(request.user, pk)
    person = selectors.person_facts_for(participant)
    page = paginate(request, selectors.opportunities_matching(request.user, person))
    return render(
        request,
        "placements/participant_matches.html",
        {
            "participant": participant,
            "page": page,
            "rows": selectors.explain_opportunities(person, page.object_list),
            "has_profile": person.has_profile,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.EDIT_WORK_PROFILE)
def work_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = participant_get_for(request.user, pk)
    initial = services.work_profile_initial(
        participant, selectors.latest_referral(request.user, participant)
    )
    back = reverse("participants:detail", args=[pk])
    return form_page(
        request,
        form=WorkProfileForm(
            request.POST or None, initial=initial, own_patch=participant.area.patch
        ),
        perform=lambda d: services.work_profile_save(
            actor=request.user, participant=participant, **d
        ),
        title="Work profile",
        caption=participant.full_name,
        intro="placements/intro/work_profile.html",
        button="Save work profile",
        back_url=back,
        back_label="Back to the person's record",
        done="Work profile saved",
        success_url=lambda _p: back,
    )
