"""Contacts, appointments, onward referrals and the to-do list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.contacts import selectors, services
from pathways.contacts.charts import tapering_chart
from pathways.contacts.forms import (
    AsAtForm,
    OnwardOutcomeForm,
    OnwardReferralForm,
    OutcomeForm,
    RecordContactForm,
    RescheduleForm,
    WhenForm,
)
from pathways.contacts.models import Contact
from pathways.core.access import Action
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pagination import paginate
from pathways.referrals.models import Referral
from pathways.referrals.support import (
    found_or_404,
    no_record,
    support_context,
    support_form_page,
    support_referral,
)


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


def _contacts_page(request: AuthenticatedHttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """A form page about one episode's contacts or wrap-around support."""
    return support_form_page(
        request, pk, back="contacts:list", back_label="Back to contacts", **kwargs
    )


def _contact(contact_pk: int) -> Callable[[Referral], Contact]:
    return lambda referral: found_or_404(selectors.contact_of(referral, contact_pk))


@login_required
@require_http_methods(["GET", "POST"])
def contact_book(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contacts_page(
        request,
        pk,
        find=selectors.placements_of,
        make_form=lambda data, placements: WhenForm(data, placements=placements),
        perform=lambda r, _, form: services.contact_book(
            actor=request.user, referral=r, when=form.when()
        ),
        title="Book an appointment",
        button="Book appointment",
        done="Appointment booked",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contacts_page(
        request,
        pk,
        find=selectors.placements_of,
        make_form=lambda data, placements: RecordContactForm(data, placements=placements),
        perform=lambda r, _, form: services.contact_record(
            actor=request.user, referral=r, when=form.when(), outcome=form.outcome()
        ),
        title="Record a contact",
        button="Save contact",
        done="Contact recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_feedback(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    return _contacts_page(
        request,
        pk,
        find=_contact(contact_pk),
        make_form=lambda data, _: OutcomeForm(data),
        perform=lambda _, contact, form: services.contact_feedback(
            actor=request.user, contact=contact, outcome=form.outcome()
        ),
        title="Record what happened",
        button="Save feedback",
        done="Feedback recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_reschedule(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    return _contacts_page(
        request,
        pk,
        find=_contact(contact_pk),
        make_form=lambda data, _: RescheduleForm(data),
        perform=lambda _, contact, form: services.contact_reschedule(
            actor=request.user,
            contact=contact,
            starts_at=form.starts_at(),
            reason=form.cleaned_data["reason"],
        ),
        title="Reschedule an appointment",
        button="Reschedule",
        done="Appointment rescheduled",
    )


@login_required
@require_http_methods(["GET", "POST"])
def onward_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contacts_page(
        request,
        pk,
        find=no_record,
        make_form=lambda data, _: OnwardReferralForm(data),
        perform=lambda r, _, form: services.onward_referral_make(
            actor=request.user, referral=r, **form.cleaned_data
        ),
        title="Refer on for wrap-around support",
        button="Save referral",
        done="Referral on recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def onward_outcome(request: AuthenticatedHttpRequest, pk: int, onward_pk: int) -> HttpResponse:
    return _contacts_page(
        request,
        pk,
        find=lambda r: found_or_404(selectors.onward_referral_of(r, onward_pk)),
        make_form=lambda data, _: OnwardOutcomeForm(data),
        perform=lambda _, onward, form: services.onward_referral_outcome(
            actor=request.user, onward=onward, **form.cleaned_data
        ),
        title="Record the outcome of a referral on",
        button="Save outcome",
        done="Outcome recorded",
    )


@requires(Action.SEE_DRILLDOWN)
def tapering(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Contacts per person per month since the start of support and since a job start: the
    manager's view of how support tapers (counts only)."""
    today = timezone.localdate()
    form = AsAtForm(request.GET if "as_at-day" in request.GET else None, initial={"as_at": today})
    as_at = form.cleaned_data["as_at"] if form.is_bound and form.is_valid() else today
    figures = selectors.tapering(service_of(request.user), min(as_at, today))
    return render(
        request,
        "contacts/tapering.html",
        {
            "form": form,
            "figures": figures,
            "chart": tapering_chart(figures),
            "rows": list(zip(figures.since_start, figures.since_job, strict=True)),
        },
    )
