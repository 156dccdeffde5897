"""Employer and opportunity pages that show an opportunity's status, places taken or
placements: the employer's page, the opportunities list, an opportunity's page, changing
it, and the people who fit it. They sit in placements, which own the places taken; their
URLs stay in the ``employers`` namespace (``placements.urls.employer_patterns``).

Employers and opportunities are service records shared by the workers and the manager of
a service; every other role gets 404 (audited), as for any page the role may not use.
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
from pathways.employers.forms import OpportunityForm
from pathways.employers.models import Opportunity, OpportunityKind
from pathways.employers.services import OPPORTUNITY_FIELDS
from pathways.employers.status import is_closed
from pathways.placements import selectors, services
from pathways.placements.opportunities import OpportunityStatus


def _opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    opportunity = selectors.opportunity_with_status_for(request.user, pk)
    if opportunity is None:
        refuse(request)  # audited, with the id asked for
    return opportunity


@requires(Action.MANAGE_EMPLOYERS)
def employer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employer = employer_selectors.employer_get_for(request.user, pk)
    if employer is None:
        refuse(request)
    return render(
        request,
        "employers/detail.html",
        {
            "employer": employer,
            "contacts": employer.contacts.all()[:50],
            "engagements": employer.engagements.select_related("worker")[:50],
            "opportunities": selectors.opportunity_list_for(request.user, employer=employer)[:50],
        },
    )


@requires(Action.MANAGE_EMPLOYERS)
def opportunity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    status_code = request.GET.get("status", "open")
    status = OpportunityStatus(status_code) if status_code in OpportunityStatus.values else None
    page = paginate(request, selectors.opportunity_list_for(request.user, kind=kind, status=status))
    count = page.paginator.count
    return render(
        request,
        "employers/opportunity_list.html",
        {
            "page": page,
            "caption": f"{count} opportunit{'y' if count == 1 else 'ies'}",
            "kinds": OpportunityKind.choices,
            "kind": kind,
            "statuses": OpportunityStatus.choices,
            "status": status_code,
        },
    )


@requires(Action.MANAGE_EMPLOYERS)
def opportunity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity(request, pk)
    placements = selectors.placement_list_for(request.user).filter(opportunity=opportunity)[:50]
    audit_list(request.user, "opportunity_placements", placements)
    return render(
        request,
        "employers/opportunity_detail.html",
        {"opportunity": opportunity, "placements": placements},
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_EMPLOYERS)
def opportunity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity(request, pk)
    back = reverse("employers:opportunity", args=[pk])
    if is_closed(opportunity):
        messages.info(request, "This opportunity is closed, so it cannot be changed.")
        return redirect(back)
    initial: dict[str, Any] = {name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS}
    initial["requirements"] = list(opportunity.requirements.all())
    initial["excluded_categories"] = list(opportunity.excluded_categories.all())
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)

    def perform(data: dict[str, Any]) -> Opportunity:
        return services.opportunity_update(
            actor=request.user,
            opportunity=opportunity,
            data=data,
            requirements=data["requirements"],
            excluded_categories=data["excluded_categories"],
        )

    return form_page(
        request,
        form=form,
        perform=perform,
        title="Change the opportunity",
        caption=opportunity.title,
        intro="employers/intro/edit.html",
        button="Save changes",
        back_url=back,
        back_label="Back to the opportunity",
        done="Opportunity changed",
        success_url=back,
        context={"places_taken": getattr(opportunity, "places_taken", 0)},
    )


@requires(Action.MANAGE_EMPLOYERS)
def opportunity_matches(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """People in the user's scope who fit the opportunity, with why."""
    opportunity = _opportunity(request, pk)
    page = paginate(request, selectors.participants_matching(request.user, opportunity))
    audit_list(request.user, "opportunity_matches", page)
    return render(
        request,
        "employers/opportunity_matches.html",
        {
            "opportunity": opportunity,
            "page": page,
            "rows": selectors.explain_participants(opportunity, page.object_list),
        },
    )
