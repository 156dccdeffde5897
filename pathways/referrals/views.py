"""Referral pages: parse input, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pathways.core.access import Action, can
from pathways.core.errors import DomainError
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.referrals import selectors, services
from pathways.referrals.forms import (
    AcceptForm,
    AllocateForm,
    AmendReferralForm,
    DeclineForm,
    DuplicateChoiceForm,
    ReferralForm,
    referral_initial,
    split_referral_data,
)
from pathways.referrals.models import DeclineReason, Referral
from pathways.referrals.people import likely_duplicates
from pathways.referrals.status import ReferralStatus


@requires(Action.SEE_REFERRALS)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status_code = request.GET.get("status", "")
    status = ReferralStatus(status_code) if status_code in ReferralStatus.values else None
    patches = selectors.patches_of(request.user)
    patch = next((p for p in patches if str(p.pk) == request.GET.get("patch")), None)
    page = paginate(request, selectors.referral_list_for(request.user, status=status, patch=patch))
    return render(
        request,
        "referrals/list.html",
        {
            "page": page,
            "statuses": ReferralStatus.choices,
            "status": status_code,
            "patches": patches,
            "patch": patch,
        },
    )


def _duplicate_choices(matches: list[Any]) -> list[tuple[str, str]]:
    choices = []
    for match in matches:
        who = (
            f"{match.participant.full_name}, born {match.participant.date_of_birth:%-d %B %Y}"
            if match.visible
            else "A person already known to the service"
        )
        why = "same CRN" if match.same_crn else "same name and date of birth"
        choices.append((f"existing-{match.participant.pk}", f"Yes: {who} ({why})"))
    if not any(match.same_crn for match in matches):
        choices.append(("new", "No, this is a different person"))
    return choices


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.REFER)
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    form = ReferralForm(request.POST or None, service=service)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        person, details = split_referral_data(form.cleaned_data)
        matches = likely_duplicates(
            request.user,
            crn=person["crn"],
            first_name=person["first_name"],
            last_name=person["last_name"],
            date_of_birth=person["date_of_birth"],
        )
        existing = None
        if matches:
            choice_form = DuplicateChoiceForm(
                request.POST if "duplicate_choice" in request.POST else None,
                choices=_duplicate_choices(matches),
            )
            context.update(matches=matches, choice_form=choice_form)
            if not choice_form.is_bound or not choice_form.is_valid():
                return render(request, "referrals/create.html", context)
            choice = choice_form.cleaned_data["duplicate_choice"]
            if choice != "new":
                pk = int(choice.removeprefix("existing-"))
                existing = next(m.participant for m in matches if m.participant.pk == pk)
        try:
            referral = services.referral_create(
                actor=request.user,
                service=service,
                person=person,
                details=details,
                existing_participant=existing,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Referral sent")
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/create.html", context)


def _forms_allowed(request: AuthenticatedHttpRequest, referral: Referral) -> dict[str, bool]:
    status = referral.status
    user = request.user
    return {
        "can_triage": can(user, Action.TRIAGE) and status == ReferralStatus.RECEIVED,
        "can_allocate": can(user, Action.ALLOCATE) and status == ReferralStatus.ACTIVE,
        "can_end": can(user, Action.END_SUPPORT)
        and status in (ReferralStatus.ACTIVE, ReferralStatus.WAITING),
        "can_amend": can(user, Action.AMEND_REFERRAL) and referral.is_open,
    }


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for(request.user, pk)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "participant": referral.participant,
            "amendments": referral.amendments.select_related("by")[:50],
            "queue_position": selectors.queue_position(referral),
            **_forms_allowed(request, referral),
        },
    )


def referral_action_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    allowed_key: str,
    title: str,
    button: str,
    make_form: Callable[[Any, Referral], forms.Form],
    perform: Callable[[Referral, dict[str, Any]], None],
    done: str,
    intro: str = "",
    context: Callable[[Referral], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The shared shape of a one-question action page: check, ask, act, report."""
    referral = selectors.referral_get_for(request.user, pk)
    if not _forms_allowed(request, referral)[allowed_key]:
        messages.info(request, "That has already been done, or is no longer possible.")
        return redirect("referrals:detail", pk=referral.pk)
    return form_page(
        request,
        form=make_form(request.POST or None, referral),
        perform=lambda data: perform(referral, data),
        title=title,
        button=button,
        done=done,
        caption=referral.participant.full_name,
        back_url=reverse("referrals:detail", args=[referral.pk]),
        back_label="Back to the referral",
        intro=intro,
        context={"referral": referral, **(context(referral) if context else {})},
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.TRIAGE)
def referral_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def make_form(data: Any, referral: Referral) -> AcceptForm:
        figures = selectors.service_figures(referral.service)
        return AcceptForm(data, service_full=figures.free_places == 0)

    def perform(referral: Referral, data: dict[str, Any]) -> None:
        services.referral_accept(
            actor=request.user, referral=referral, override_reason=data.get("override_reason", "")
        )

    return referral_action_page(
        request,
        pk,
        allowed_key="can_triage",
        title="Accept the referral",
        button="Accept referral",
        intro="referrals/intro/accept.html",
        make_form=make_form,
        perform=perform,
        done="Referral accepted",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.TRIAGE)
def referral_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(referral: Referral, data: dict[str, Any]) -> None:
        services.referral_decline(
            actor=request.user, referral=referral, reason=data["reason"], note=data["note"]
        )

    return referral_action_page(
        request,
        pk,
        allowed_key="can_triage",
        title="Decline the referral",
        button="Decline referral",
        make_form=lambda data, _r: DeclineForm(data, reasons=selectors.reasons(DeclineReason)),
        perform=perform,
        done="Referral declined",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.ALLOCATE)
def referral_allocate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(referral: Referral, data: dict[str, Any]) -> None:
        services.referral_allocate(actor=request.user, referral=referral, worker=data["worker"])

    return referral_action_page(
        request,
        pk,
        allowed_key="can_allocate",
        title="Allocate a support worker",
        button="Allocate",
        intro="referrals/intro/allocate.html",
        make_form=lambda data, r: AllocateForm(data, workers=selectors.workers_for(r)),
        perform=perform,
        done="Support worker allocated",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.AMEND_REFERRAL)
def referral_amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def make_form(data: Any, referral: Referral) -> AmendReferralForm:
        return AmendReferralForm(data, initial=referral_initial(referral), service=referral.service)

    def perform(referral: Referral, data: dict[str, Any]) -> None:
        person, details = split_referral_data(data)
        services.referral_amend(
            actor=request.user,
            referral=referral,
            person=person,
            details=details,
            reason=data["amend_reason"],
        )

    return referral_action_page(
        request,
        pk,
        allowed_key="can_amend",
        title="Amend referral",
        button="Save changes",
        make_form=make_form,
        perform=perform,
        done="Referral amended",
    )


@requires(Action.SEE_WAITING_LIST)
def waiting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "referrals/waiting_list.html",
        {"page": paginate(request, selectors.waiting_list_for(request.user))},
    )


@requires(Action.SEE_SERVICE_FIGURES)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = selectors.service_figures(service_of(request.user))
    return render(request, "referrals/overview.html", {"figures": figures})
