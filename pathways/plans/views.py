"""Pathway plan and progress pages: parse input, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.core.access import Action
from pathways.core.errors import DomainError
from pathways.core.forms import date_range
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pages import form_page
from pathways.core.periods import contract_year
from pathways.plans import selectors, services
from pathways.plans.charts import progress_chart
from pathways.plans.forms import (
    GoalCloseForm,
    GoalForm,
    ReadingForm,
    ReviewForm,
    StepForm,
    StepUpdateForm,
)
from pathways.plans.models import INITIAL_REVIEW_DAYS, Goal, GoalStatus, ReadingKind, StepStatus
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus
from pathways.referrals.support import (
    can_record,
    found_or_404,
    no_record,
    recording_closed,
    support_context,
    support_form_page,
    support_referral,
)


def _plan_url(referral: Referral) -> str:
    return reverse("plans:plan", args=[referral.pk])


def _progress_url(referral: Referral) -> str:
    return reverse("plans:progress", args=[referral.pk])


@login_required
def plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = support_referral(request, pk, Action.SEE_PLAN)
    due = selectors.review_due(referral)
    return render(
        request,
        "plans/plan.html",
        {
            **support_context(request, referral, "plan"),
            "plan": selectors.plan_of(referral),
            "review_due": due,
            "initial_review_days": INITIAL_REVIEW_DAYS,
            "review_overdue": due is not None
            and due < timezone.localdate()
            and referral.status == ReferralStatus.ACTIVE,
        },
    )


def _plan_page(request: AuthenticatedHttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """A form page about one plan."""
    return support_form_page(
        request, pk, back="plans:plan", back_label="Back to the plan", **kwargs
    )


def _goal(goal_pk: int) -> Callable[[Referral], Goal]:
    return lambda referral: found_or_404(selectors.goal_of(referral, goal_pk))


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_page(
        request,
        pk,
        find=no_record,
        make_form=lambda data, _: GoalForm(data),
        perform=lambda r, _, form: services.goal_add(
            actor=request.user, referral=r, **form.cleaned_data
        ),
        title="Add a goal",
        button="Add goal",
        done="Goal added",
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_close(request: AuthenticatedHttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    return _plan_page(
        request,
        pk,
        find=_goal(goal_pk),
        make_form=lambda data, _: GoalCloseForm(data),
        perform=lambda _, goal, form: services.goal_close(
            actor=request.user,
            goal=goal,
            outcome=GoalStatus(form.cleaned_data["outcome"]),
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        ),
        title="Close a goal",
        button="Save",
        done="Goal updated",
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_add(request: AuthenticatedHttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    return _plan_page(
        request,
        pk,
        find=_goal(goal_pk),
        make_form=lambda data, _: StepForm(data),
        perform=lambda _, goal, form: services.step_add(
            actor=request.user, goal=goal, description=form.cleaned_data["description"]
        ),
        title="Add a step",
        button="Add step",
        done="Step added",
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_update(request: AuthenticatedHttpRequest, pk: int, step_pk: int) -> HttpResponse:
    return _plan_page(
        request,
        pk,
        find=lambda referral: found_or_404(selectors.step_of(referral, step_pk)),
        make_form=lambda data, step: StepUpdateForm(data, moves=services.STEP_MOVES[step.status]),
        perform=lambda _, step, form: services.step_update(
            actor=request.user,
            step=step,
            status=StepStatus(form.cleaned_data["status"]),
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        ),
        title="Update a step",
        button="Save",
        done="Step updated",
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_move(request: AuthenticatedHttpRequest, pk: int, step_pk: int) -> HttpResponse:
    """The "Move up" / "Move down" buttons of the plan page (a GET goes back to the plan)."""
    referral = support_referral(request, pk, Action.RECORD_SUPPORT)
    back = _plan_url(referral)
    if request.method != "POST":
        return redirect(back)
    if closed := recording_closed(request, referral, back):
        return closed
    step = found_or_404(selectors.step_of(referral, step_pk))
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.info(request, "Choose whether to move the step up or down.")
        return redirect(back)
    try:
        services.step_move(actor=request.user, step=step, up=direction == "up")
    except DomainError as error:
        messages.info(request, error.message)
    else:
        messages.success(request, f"Step moved {direction}")
    return redirect(f"{back}#goal-{step.goal_id}")


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_page(
        request,
        pk,
        find=no_record,
        make_form=lambda data, _: ReviewForm(data),
        perform=lambda r, _, form: services.review_record(
            actor=request.user, referral=r, **form.cleaned_data
        ),
        title="Record a plan review",
        button="Save review",
        done="Review recorded",
    )


@login_required
def progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = support_referral(request, pk, Action.SEE_PLAN)
    readings = selectors.readings_of(referral)
    shown = selectors.progress_of(readings)
    return render(
        request,
        "plans/progress.html",
        {
            **support_context(request, referral, "progress"),
            "readings": readings,
            "progress": shown,
            "chart": progress_chart(shown),
            "can_record": can_record(request, referral)
            and not any(r.kind == ReadingKind.EXIT for r in readings),
        },
    )


def _kinds(readings_taken: int) -> list[ReadingKind]:
    if readings_taken == 0:
        return [ReadingKind.INTAKE]
    return [ReadingKind.REVIEW, ReadingKind.EXIT]


@login_required
@require_http_methods(["GET", "POST"])
def reading_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = support_referral(request, pk, Action.RECORD_SUPPORT)
    back = _progress_url(referral)
    if closed := recording_closed(request, referral, back):
        return closed
    instrument = services.instrument_for(referral)
    if instrument is None:
        offered = list(selectors.instruments_in_use())
        chosen = request.GET.get("instrument", "")
        instrument = next((i for i in offered if str(i.pk) == chosen), None)
        if instrument is None and len(offered) == 1:
            instrument = offered[0]
        if instrument is None:
            return render(
                request,
                "plans/choose_instrument.html",
                {"referral": referral, "instruments": offered, "back_url": back},
            )
    kinds = _kinds(referral.readings.count())
    initial = {"kind": ReadingKind.EXIT} if request.GET.get("kind") == "exit" else {}
    form = ReadingForm(request.POST or None, instrument=instrument, kinds=kinds, initial=initial)
    return form_page(
        request,
        form=form,
        perform=lambda data: services.reading_record(
            actor=request.user,
            referral=referral,
            instrument=instrument,
            kind=ReadingKind(data["kind"]),
            taken_on=data["taken_on"],
            scores=form.scores(),
            note=data["note"],
        ),
        title=f"Record a reading: {instrument.name}",
        button="Save reading",
        done="Reading recorded",
        caption=referral.participant.full_name,
        back_url=back,
        back_label="Back to progress",
        intro="plans/intro/reading.html",
        context={"instrument": instrument},
    )


@requires(Action.SEE_SERVICE_FIGURES)
def figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Distance travelled across the service in a period: counts and averages only."""
    service = service_of(request.user)
    today = timezone.localdate()
    form, start, end = date_range(request.GET, contract_year(today).start, today)
    instruments = list(selectors.instruments_in_use())
    chosen = request.GET.get("instrument", "")
    instrument = next((i for i in instruments if str(i.pk) == chosen), None)
    instrument = instrument or selectors.default_instrument() or next(iter(instruments), None)
    result = None
    if instrument is not None and not form.errors:
        result = selectors.distance_travelled(service, start, end, instrument)
    return render(
        request,
        "plans/figures.html",
        {"form": form, "figures": result, "instruments": instruments, "instrument": instrument},
    )
