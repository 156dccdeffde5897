"""Contract pages: the commissioner reads, the service manager changes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.contracts import selectors, services
from pathways.contracts.forms import (
    AnnualValueForm,
    CoFunderForm,
    ContractForm,
    ExtensionForm,
    MilestoneForm,
    PaymentForm,
)
from pathways.contracts.models import AnnualValue, CoFunder, Extension, Milestone, Payment
from pathways.core.access import Action, can
from pathways.core.audit import audit_refusal
from pathways.core.forms import date_range
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pages import form_page
from pathways.core.periods import contract_year

# The parts of a contract, by the slug in their URLs: model, form, what one is called.
PARTS: dict[str, tuple[type[models.Model], type[forms.ModelForm], str]] = {
    "extensions": (Extension, ExtensionForm, "extension option"),
    "values": (AnnualValue, AnnualValueForm, "year's value"),
    "co-funders": (CoFunder, CoFunderForm, "co-funder"),
    "payments": (Payment, PaymentForm, "payment"),
    "milestones": (Milestone, MilestoneForm, "milestone"),
}


@requires(Action.SEE_CONTRACT)
def contract(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The contract, and its value, spend and cost per outcome for a period (GET)."""
    service = service_of(request.user)
    today = timezone.localdate()
    form, start, end = date_range(request.GET, contract_year(today).start, today)
    summary = None if form.errors else selectors.contract_summary(service, start, end)
    return render(
        request,
        "contracts/contract.html",
        {
            "form": form,
            "contract": summary,
            "contract_alert": summary.alert(today) if summary else "",
            "payments": selectors.payments_of(summary.contract) if summary else [],
            "can_manage": can(request.user, Action.MANAGE_CONTRACT),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_CONTRACT)
def contract_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    existing = selectors.contract_of(service)
    back = reverse("contracts:detail")
    return form_page(
        request,
        form=cast(forms.Form, ContractForm(request.POST or None, instance=existing)),
        perform=lambda data: services.contract_save(actor=request.user, service=service, **data),
        title="Change the contract" if existing else "Record the contract",
        button="Save",
        done="Contract saved",
        caption="Contract and spend",
        back_url=back,
        back_label="Back to the contract",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.MANAGE_CONTRACT)
def part(request: AuthenticatedHttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Add (no ``pk``) or change one part of the contract."""
    if kind not in PARTS:
        raise Http404("Not found")
    model, form_class, name = PARTS[kind]
    contract = selectors.contract_of(service_of(request.user))
    if contract is None and pk is None:
        messages.info(request, "Record the contract first.")
        return redirect("contracts:edit")
    instance: Any = (
        model() if pk is None else model._default_manager.filter(pk=pk, contract=contract).first()
    )
    if instance is None or contract is None:
        audit_refusal(actor=request.user, object_type=model._meta.label_lower, object_id=pk)
        raise Http404("Not found")
    form = form_class(request.POST or None, instance=instance if pk else None)
    return form_page(
        request,
        form=cast(forms.Form, form),
        perform=lambda data: services.contract_part_save(
            actor=request.user, contract=contract, part=instance, **data
        ),
        title=f"Add a {name}" if pk is None else f"Change a {name}",
        button="Save",
        done=f"{name.capitalize()} saved",
        caption="Contract and spend",
        back_url=reverse("contracts:detail"),
        back_label="Back to the contract",
    )
