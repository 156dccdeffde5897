"""Contacts, appointments, onward referrals and the to-do list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.contacts import selectors, services
from pathways.contacts.forms import (
    OnwardOutcomeForm,
    OnwardReferralForm,
    OutcomeForm,
    RecordContactForm,
    RescheduleForm,
    WhenForm,
)
from pathways.contacts.models import Contact, OnwardReferral
from pathways.core.access import Action, Role, can, role_of
from pathways.core.http import AuthenticatedHttpRequest, refuse
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.plans.selectors import overdue_reviews_for
from pathways.referrals.models import Referral
from pathways.referrals.support import recording_closed, support_context, support_referral


def _contacts_url(referral: Referral) -> str:
    return reverse("contacts:list", args=[referral.pk])


@login_required
def contact_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = support_referral(request, pk, Action.SEE_CONTACTS)
    return render(
        request,
        "contacts/list.html",
        {
            **support_context(request, referral, "contacts"),
            "page": paginate(request, selectors.contacts_of(referral)),
            "onward": selectors.onward_referrals_of(referral),
            "now": timezone.now(),
        },
    )


def _contact_form_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    make_form: Callable[[Any, Referral], forms.Form],
    perform: Callable[[Referral, forms.Form], object],
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    referral = support_referral(request, pk, Action.RECORD_SUPPORT)
    back = _contacts_url(referral)
    if closed := recording_closed(request, referral, back):
        return closed
    form = make_form(request.POST or None, referral)
    return form_page(
        request,
        form=form,
        perform=lambda _data: perform(referral, form),
        title=title,
        button=button,
        done=done,
        caption=referral.participant.full_name,
        back_url=back,
        back_label="Back to contacts",
    )


def _contact(referral: Referral, contact_pk: int) -> Contact:
    contact = selectors.contact_of(referral, contact_pk)
    if contact is None:
        raise Http404("No such contact")
    return contact


def _onward(referral: Referral, onward_pk: int) -> OnwardReferral:
    onward = selectors.onward_referral_of(referral, onward_pk)
    if onward is None:
        raise Http404("No such referral on")
    return onward


@login_required
@require_http_methods(["GET", "POST"])
def contact_book(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contact_form_page(
        request,
        pk,
        make_form=lambda data, _r: WhenForm(data),
        perform=lambda r, form: services.contact_book(
            actor=request.user,
            referral=r,
            when=form.when(),  # type: ignore[attr-defined]
        ),
        title="Book an appointment",
        button="Book appointment",
        done="Appointment booked",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contact_form_page(
        request,
        pk,
        make_form=lambda data, _r: RecordContactForm(data),
        perform=lambda r, form: services.contact_record(
            actor=request.user,
            referral=r,
            when=form.when(),  # type: ignore[attr-defined]
            outcome=form.outcome(),  # type: ignore[attr-defined]
        ),
        title="Record a contact",
        button="Save contact",
        done="Contact recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_feedback(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    return _contact_form_page(
        request,
        pk,
        make_form=lambda data, r: _contact(r, contact_pk) and OutcomeForm(data),
        perform=lambda r, form: services.contact_feedback(
            actor=request.user,
            contact=_contact(r, contact_pk),
            outcome=form.outcome(),  # type: ignore[attr-defined]
        ),
        title="Record what happened",
        button="Save feedback",
        done="Feedback recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_reschedule(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    return _contact_form_page(
        request,
        pk,
        make_form=lambda data, r: _contact(r, contact_pk) and RescheduleForm(data),
        perform=lambda r, form: services.contact_reschedule(
            actor=request.user,
            contact=_contact(r, contact_pk),
            starts_at=form.starts_at(),  # type: ignore[attr-defined]
            reason=form.cleaned_data["reason"],
        ),
        title="Reschedule an appointment",
        button="Reschedule",
        done="Appointment rescheduled",
    )


@login_required
@require_http_methods(["GET", "POST"])
def onward_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contact_form_page(
        request,
        pk,
        make_form=lambda data, _r: OnwardReferralForm(data),
        perform=lambda r, form: services.onward_referral_make(
            actor=request.user, referral=r, **form.cleaned_data
        ),
        title="Refer on for wrap-around support",
        button="Save referral",
        done="Referral on recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def onward_outcome(request: AuthenticatedHttpRequest, pk: int, onward_pk: int) -> HttpResponse:
    return _contact_form_page(
        request,
        pk,
        make_form=lambda data, r: _onward(r, onward_pk) and OnwardOutcomeForm(data),
        perform=lambda r, form: services.onward_referral_outcome(
            actor=request.user, onward=_onward(r, onward_pk), **form.cleaned_data
        ),
        title="Record the outcome of a referral on",
        button="Save outcome",
        done="Outcome recorded",
    )


@login_required
def todo(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs doing: feedback on past appointments, and overdue plan reviews."""
    if not can(request.user, Action.SEE_TODO):
        refuse(request)
    return render(
        request,
        "contacts/todo.html",
        {
            "feedback": paginate(request, selectors.awaiting_feedback_for(request.user)),
            "reviews": overdue_reviews_for(request.user),
            "show_worker": role_of(request.user) is Role.MANAGER,
        },
    )
