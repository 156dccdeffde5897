"""Employer and opportunity pages: parse input, call one service or selector, render.
The pages that show an opportunity's status, places taken or placements are in
placements/opportunity_views.py (placements own the places taken); all share the
``employers`` URL namespace.

Employers and opportunities are service records shared by the workers and the manager of
a service; every other role gets 404 (audited), as for any page the role may not use.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pathways.core.access import Action
from pathways.core.http import AuthenticatedHttpRequest, refuse, requires
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
from pathways.employers.models import Employer, Opportunity
from pathways.employers.services import EMPLOYER_FIELDS


def _employer(request: AuthenticatedHttpRequest, pk: int) -> Employer:
    employer = selectors.employer_get_for(request.user, pk)
    if employer is None:
        refuse(request)  # audited, with the id asked for
    return employer


def _opportunity(request: AuthenticatedHttpRequest, pk: int) -> Opportunity:
    opportunity = selectors.opportunity_get_for(request.user, pk)
    if opportunity is None:
        refuse(request)
    return opportunity


@requires(Action.MANAGE_EMPLOYERS)
def employer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, selectors.employer_list_for(request.user))
    return render(request, "employers/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_EMPLOYERS)
def employer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
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
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_EMPLOYERS)
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
@requires(Action.MANAGE_EMPLOYERS)
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
@requires(Action.MANAGE_EMPLOYERS)
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
@requires(Action.MANAGE_EMPLOYERS)
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
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_EMPLOYERS)
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
