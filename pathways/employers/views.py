"""Employer and opportunity pages: parse input, call one service or selector, render.

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

from pathways.core.access import Action, can
from pathways.core.http import AuthenticatedHttpRequest, refuse
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.employers import selectors, services
from pathways.employers.forms import (
    ConfirmForm,
    ContactForm,
    EmployerForm,
    EngagementForm,
    OpportunityForm,
)
from pathways.employers.models import Employer, Opportunity, OpportunityKind
from pathways.employers.services import EMPLOYER_FIELDS, OPPORTUNITY_FIELDS
from pathways.employers.status import OpportunityStatus, is_closed
from pathways.placements import selectors as placement_selectors


def _require(request: AuthenticatedHttpRequest) -> None:
    if not can(request.user, Action.MANAGE_EMPLOYERS):
        refuse(request)


def _employer(request: AuthenticatedHttpRequest, pk: int) -> Employer:
    _require(request)
    employer = selectors.employer_get_for(request.user, pk)
    if employer is None:
        refuse(request)  # audited, with the id asked for
    return employer


def _opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    _require(request)
    opportunity = selectors.opportunity_get_for(request.user, pk)
    if opportunity is None:
        refuse(request)
    return opportunity


@login_required
def employer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    page = paginate(request, selectors.employer_list_for(request.user))
    return render(request, "employers/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def employer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    form = EmployerForm(request.POST or None, user=request.user, initial={"owner": request.user})
    return form_page(
        request,
        form=form,
        perform=lambda data: services.employer_create(actor=request.user, data=data),
        title="Add an employer",
        button="Save employer",
        back_url=reverse("employers:list"),
        back_label="Back to employers",
        done="Employer added",
        success_url=lambda employer: reverse("employers:detail", args=[employer.pk]),
    )


@login_required
def employer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
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


@login_required
@require_http_methods(["GET", "POST"])
def employer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    initial = {name: getattr(employer, name) for name in EMPLOYER_FIELDS}
    form = EmployerForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form=form,
        perform=lambda data: services.employer_update(
            actor=request.user, employer=employer, data=data
        ),
        title="Change employer details",
        caption=employer.name,
        button="Save changes",
        back_url=reverse("employers:detail", args=[pk]),
        back_label="Back to the employer",
        done="Employer details changed",
        success_url=lambda _e: reverse("employers:detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    return form_page(
        request,
        form=ContactForm(request.POST or None),
        perform=lambda data: services.employer_contact_add(
            actor=request.user, employer=employer, data=data
        ),
        title="Add a contact",
        caption=employer.name,
        button="Save contact",
        back_url=reverse("employers:detail", args=[pk]),
        back_label="Back to the employer",
        done="Contact added",
        success_url=lambda _c: reverse("employers:detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def engagement_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    return form_page(
        request,
        form=EngagementForm(request.POST or None),
        perform=lambda data: services.engagement_record(
            actor=request.user, employer=employer, data=data
        ),
        title="Log an engagement",
        caption=employer.name,
        button="Save to the log",
        back_url=reverse("employers:detail", args=[pk]),
        back_label="Back to the employer",
        done="Engagement logged",
        success_url=lambda _e: reverse("employers:detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employer = _employer(request, pk)
    form = OpportunityForm(
        request.POST or None,
        user=request.user,
        initial={
            "sector": employer.sector_id,
            "patch": employer.patch_id,
            "dbs_level": "none",
            "exclusion_policy": "none",
        },
    )

    def perform(data: dict[str, Any]) -> Opportunity:
        return services.opportunity_create(
            actor=request.user,
            employer=employer,
            data=data,
            requirements=data["requirements"],
            excluded_categories=data["excluded_categories"],
        )

    return form_page(
        request,
        form=form,
        perform=perform,
        title="Add an opportunity",
        caption=employer.name,
        button="Save opportunity",
        back_url=reverse("employers:detail", args=[pk]),
        back_label="Back to the employer",
        done="Opportunity added",
        success_url=lambda opportunity: reverse("employers:opportunity", args=[opportunity.pk]),
    )


@login_required
def opportunity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
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


@login_required
def opportunity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity(request, pk)
    placements = placement_selectors.placement_list_for(request.user).filter(
        opportunity=opportunity
    )[:50]
    return render(
        request,
        "employers/opportunity_detail.html",
        {"opportunity": opportunity, "placements": placements},
    )


@login_required
@require_http_methods(["GET", "POST"])
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


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity(request, pk)
    return form_page(
        request,
        form=ConfirmForm(request.POST or None),
        perform=lambda _d: services.opportunity_close(actor=request.user, opportunity=opportunity),
        title="Close the opportunity",
        caption=opportunity.title,
        intro="employers/intro/close.html",
        button="Close opportunity",
        back_url=reverse("employers:opportunity", args=[pk]),
        back_label="Back to the opportunity",
        done="Opportunity closed",
        success_url=lambda _o: reverse("employers:opportunity", args=[pk]),
    )


@login_required
def opportunity_matches(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """People in the user's scope who fit the opportunity, with why."""
    opportunity = _opportunity(request, pk)
    page = paginate(request, placement_selectors.participants_matching(request.user, opportunity))
    return render(
        request,
        "employers/opportunity_matches.html",
        {
            "opportunity": opportunity,
            "page": page,
            "rows": placement_selectors.explain_participants(opportunity, page.object_list),
        },
    )
