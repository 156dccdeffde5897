"""What every support page (plan, progress, contacts) does first: the role may use the
page, and the episode is in the user's scope and has started. The view is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from pathways.core.access import Action, can
from pathways.core.http import AuthenticatedHttpRequest, refuse
from pathways.core.pages import form_page
from pathways.referrals.models import Referral
from pathways.referrals.selectors import referral_get_for
from pathways.referrals.status import ReferralStatus


def support_referral(request: AuthenticatedHttpRequest, pk: int, action: Action) -> Referral:
    if not can(request.user, action):
        refuse(request)
    referral = referral_get_for(request.user, pk)
    if referral.started_at is None:
        raise Http404("Support has not started")
    return referral


def can_record(request: AuthenticatedHttpRequest, referral: Referral) -> bool:
    return can(request.user, Action.RECORD_SUPPORT) and referral.status == ReferralStatus.ACTIVE


def recording_closed(
    request: AuthenticatedHttpRequest, referral: Referral, back: str
) -> HttpResponse | None:
    """A redirect back, with a message, when support work cannot be recorded now."""
    if referral.status != ReferralStatus.ACTIVE:
        messages.info(request, "Support has ended, so this can no longer be recorded.")
        return redirect(back)
    return None


def support_context(request: AuthenticatedHttpRequest, referral: Referral, tab: str) -> dict:
    """What the header and tabs of every support page need."""
    return {
        "referral": referral,
        "participant": referral.participant,
        "tab": tab,
        "can_record": can_record(request, referral),
        "can_see_contacts": can(request.user, Action.SEE_CONTACTS),
    }


F = TypeVar("F", bound=forms.Form)
R = TypeVar("R")


def support_form_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    back: str,
    back_label: str,
    find: Callable[[Referral], R],
    make_form: Callable[[Any, R], F],
    perform: Callable[[Referral, R, F], object],
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    """A form page of support work on one episode (plan, reading, contact).

    ``find`` fetches the record the form is about within the episode (404 if it is not
    there); the episode must be receiving support.
    """
    referral = support_referral(request, pk, Action.RECORD_SUPPORT)
    back_url = reverse(back, args=[referral.pk])
    if closed := recording_closed(request, referral, back_url):
        return closed
    found = find(referral)
    form = make_form(request.POST or None, found)
    return form_page(
        request,
        form=form,
        perform=lambda _data: perform(referral, found, form),
        title=title,
        button=button,
        done=done,
        caption=referral.participant.full_name,
        back_url=back_url,
        back_label=back_label,
    )


def no_record(_referral: Referral) -> None:
    """For ``support_form_page``: the form is about the episode itself."""
    return None


def found_or_404(record: R | None) -> R:
    if record is None:
        raise Http404("Not found")
    return record
