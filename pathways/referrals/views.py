"""Referral pages: parse input, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from pathways.accounts.models import Area
from pathways.core.access import Action, can
from pathways.core.audit import audit_list
from pathways.core.errors import DomainError
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.participants.models import Location
from pathways.referrals import selectors, services
from pathways.referrals.eligibility import (
    EXPECTED_SUPPORT_DAYS,
    order_ended,
    order_ends_within_support,
)
from pathways.referrals.forms import (
    HOLD_CHOICE,
    SEPARATE_CHOICE,
    STEP_BY_SLUG,
    STEPS,
    AcceptForm,
    AllocateForm,
    AmendReferralForm,
    DeclineForm,
    DuplicateChoiceForm,
    ProposedChangesForm,
    ReferralForm,
    ReferralStepForm,
    ResolveDuplicateForm,
    Step,
    is_rotl,
    referral_initial,
    split_referral_data,
)
from pathways.referrals.models import DeclineReason, Referral
from pathways.referrals.people import (
    FIELD_LABELS,
    IDENTITY_FIELDS,
    HeldMatch,
    PossibleDuplicate,
    held_matches_for,
    likely_duplicates,
    needs_manager,
)
from pathways.referrals.status import ReferralStatus


@requires(Action.SEE_REFERRALS)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status_code = request.GET.get("status", "")
    status = ReferralStatus(status_code) if status_code in ReferralStatus.values else None
    patches = selectors.patches_of(request.user)
    patch = next((p for p in patches if str(p.pk) == request.GET.get("patch")), None)
    page = paginate(request, selectors.referral_list_for(request.user, status=status, patch=patch))
    audit_list(request.user, "referral_list", page)
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


def _duplicate_choices(matches: list[PossibleDuplicate]) -> list[tuple[str, str]]:
    """The answers the user may give: only people in their own scope whose name and date of
    birth are the ones typed, by id; a match they may not resolve is never offered (nor
    named): sending then holds the referral for the manager."""
    choices = []
    for match in matches:
        if match.joinable:
            person = match.participant
            why = "same CRN" if match.same_crn else "same name and date of birth"
            choices.append(
                (
                    f"person-{person.pk}",
                    f"Yes: {person.full_name}, born {person.date_of_birth:%-d %B %Y} ({why})",
                )
            )
    if needs_manager(matches):
        choices.append((HOLD_CHOICE, "No: send it for the service manager to check"))
    elif not any(match.same_crn for match in matches):
        choices.append(("new", "No, this is a different person"))
    return choices


# The answers of a referral not yet sent, kept in the (server-side) session between the
# question pages and the check-your-answers page: never in a URL. Cleared when the referral
# is sent, when the user cancels it, and when they start a new one.
DRAFT_KEY = "referral_draft"


def _draft(request: AuthenticatedHttpRequest) -> QueryDict | None:
    raw = request.session.get(DRAFT_KEY)
    if raw is None:
        return None
    data = QueryDict(mutable=True)
    for name, values in raw.items():
        data.setlist(name, values)
    return data


def _keep_draft(request: AuthenticatedHttpRequest, data: QueryDict) -> None:
    request.session[DRAFT_KEY] = {
        name: data.getlist(name) for name in data if name != "csrfmiddlewaretoken"
    }


def _drop_draft(request: AuthenticatedHttpRequest) -> None:
    request.session.pop(DRAFT_KEY, None)


def _known_person(
    request: AuthenticatedHttpRequest, person: dict[str, Any], data: QueryDict
) -> tuple[dict[str, Any], Any, list[PossibleDuplicate], bool]:
    """Whether the typed person may be one already known, and the user's answer: (what the
    page shows, the person to join, the matches to hold for the manager, answered)."""
    matches = likely_duplicates(
        request.user,
        crn=person["crn"],
        first_name=person["first_name"],
        last_name=person["last_name"],
        date_of_birth=person["date_of_birth"],
    )
    if not matches:
        return {}, None, [], True
    choice_form = DuplicateChoiceForm(
        data if "duplicate_choice" in data else None, choices=_duplicate_choices(matches)
    )
    # Only the matches the user may see reach the page.
    shown = {
        "visible_matches": [m for m in matches if m.visible],
        "held": needs_manager(matches),
        "choice_form": choice_form,
    }
    if not choice_form.is_bound or not choice_form.is_valid():
        return shown, None, [], False
    choice = choice_form.cleaned_data["duplicate_choice"]
    shown["duplicate_answer"] = dict(_duplicate_choices(matches))[choice]
    if choice == HOLD_CHOICE:
        return shown, None, matches, True
    existing = next(
        (m.participant for m in matches if f"person-{m.participant.pk}" == choice), None
    )
    return shown, existing, [], True


def _steps_asked(answers: QueryDict | None) -> list[Step]:
    """The question pages asked, given the answers so far."""
    return [step for step in STEPS if step.asked_when(answers or {})]


def _question_url(step: Step, *, change: bool = False) -> str:
    url = reverse("referrals:question", args=[step.slug])
    return url + "?change=1" if change else url


def _first_unanswered(request: AuthenticatedHttpRequest, data: QueryDict) -> Step | None:
    """The first question page whose answers are missing or no longer valid, if any."""
    service = service_of(request.user)
    for step in _steps_asked(data):
        if not ReferralStepForm(data, service=service, step=step).is_valid():
            return step
    return None


def _after_questions(request: AuthenticatedHttpRequest, data: QueryDict) -> HttpResponse:
    """Where a user goes once the questions are answered: back to a page still unanswered,
    to the question about a person already known if the answers match one, else to check
    the answers."""
    unanswered = _first_unanswered(request, data)
    if unanswered is not None:
        return redirect(_question_url(unanswered))
    form = ReferralForm(data, service=service_of(request.user))
    form.is_valid()
    person, _details = split_referral_data(form.cleaned_data)
    _shown, _existing, _hold_for, answered = _known_person(request, person, data)
    return redirect("referrals:check" if answered else "referrals:known_person")


@login_required
@requires(Action.REFER)  # before the method check: a forged post is refused and audited
@require_GET
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a new referral: answers never sent are not kept; then its first question."""
    _drop_draft(request)
    return redirect(_question_url(STEPS[0]))


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.REFER)
def referral_question(request: AuthenticatedHttpRequest, step: str) -> HttpResponse:
    """One page of the referral's questions. Each page checks its own answers and keeps
    them in the session (never in a URL); then the next page, or, when changing an answer
    from the check-your-answers page (``?change=1``), back there."""
    service = service_of(request.user)
    page = STEP_BY_SLUG.get(step)
    if page is None:
        raise Http404("No such question")
    draft = _draft(request) or QueryDict(mutable=True)
    changing = "change" in request.GET
    asked = _steps_asked(draft)
    if page not in asked:  # the ROTL page for a group that has none
        return redirect(_question_url(asked[0]))
    if request.method == "POST":
        answers = draft.copy()
        for key in [key for key in answers if page.owns(key)]:
            del answers[key]
        for key in request.POST:
            if page.owns(key):
                answers.setlist(key, request.POST.getlist(key))
        form = ReferralStepForm(answers, service=service, step=page)
        if form.is_valid():
            if not is_rotl(answers):  # a group changed from ROTL keeps no prison answers
                rotl = STEP_BY_SLUG["rotl"]
                for key in [key for key in answers if rotl.owns(key)]:
                    del answers[key]
            _keep_draft(request, answers)
            later = _steps_asked(answers)[_steps_asked(answers).index(page) + 1 :]
            if changing or not later:
                return _after_questions(request, answers)
            return redirect(_question_url(later[0]))
    elif any(page.owns(key) for key in draft):
        form = ReferralStepForm(draft, service=service, step=page)
    else:
        form = ReferralStepForm(service=service, step=page)
    earlier = asked[: asked.index(page)]
    if changing:
        back_url, back_label = reverse("referrals:check"), "Back to check your answers"
    elif earlier:
        back_url, back_label = _question_url(earlier[-1]), "Back"
    else:
        back_url = reverse("referrals:list" if can(request.user, Action.SEE_REFERRALS) else "home")
        back_label = "Back"
    return render(
        request,
        "referrals/question.html",
        {
            "form": form,
            "step": page,
            "number": asked.index(page) + 1,
            "of": len(asked),
            "back_url": back_url,
            "back_label": back_label,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.REFER)
def referral_known_person(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whether the person typed is one the service already knows (``PossibleDuplicate``):
    asked after the questions when the answers match a record, before checking them."""
    data = _draft(request)
    if data is None:
        return redirect("referrals:create")
    if _first_unanswered(request, data) is not None:
        return _after_questions(request, data)
    form = ReferralForm(data, service=service_of(request.user))
    form.is_valid()
    person, _details = split_referral_data(form.cleaned_data)
    previous = data.get("duplicate_choice")
    answers = data.copy()
    answers.pop("duplicate_choice", None)
    posted = request.method == "POST"
    if posted:
        answers.setlist("duplicate_choice", request.POST.getlist("duplicate_choice"))
    shown, _existing, _hold_for, answered = _known_person(request, person, answers)
    if not shown:  # no longer matches anyone: nothing to ask
        _keep_draft(request, answers)
        return redirect("referrals:check")
    if posted and answered:
        _keep_draft(request, answers)
        return redirect("referrals:check")
    if not posted and previous:  # the answer given before, shown again
        shown["choice_form"].initial = {"duplicate_choice": previous}
    # The people named are in the user's scope; their view is audited, as a search's is.
    audit_list(
        request.user,
        "referral_known_person",
        [match.participant for match in shown["visible_matches"]],
    )
    last = _steps_asked(data)[-1]
    return render(
        request,
        "referrals/known_person.html",
        {**shown, "back_url": _question_url(last)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.REFER)
def referral_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check your answers, then send the referral (or cancel it: the answers are deleted)."""
    service = service_of(request.user)
    data = _draft(request)
    if request.method == "POST" and "cancel" in request.POST:
        _drop_draft(request)
        messages.info(request, "The referral was not sent. Its answers have been deleted.")
        return redirect("referrals:list" if can(request.user, Action.SEE_REFERRALS) else "home")
    if data is None:
        return redirect("referrals:create")
    form = ReferralForm(data, service=service)
    if _first_unanswered(request, data) is not None or not form.is_valid():
        return _after_questions(request, data)
    person, details = split_referral_data(form.cleaned_data)
    shown, existing, hold_for, answered = _known_person(request, person, data)
    if not answered:
        return redirect("referrals:known_person")
    errors: list[str] = []
    if request.method == "POST":
        try:
            referral = services.referral_create(
                actor=request.user,
                service=service,
                person=person,
                details=details,
                existing_participant=existing,
                hold_for=hold_for,
            )
        except DomainError as error:
            errors.append(error.message)
        else:
            _drop_draft(request)
            messages.success(
                request,
                "Referral sent. The service manager will check it before it is decided"
                if hold_for
                else "Referral sent",
            )
            return redirect("referrals:detail", pk=referral.pk)
    step_of = {name: step for step in _steps_asked(data) for name in step.fields}
    return render(
        request,
        "referrals/check.html",
        {
            "answers": [
                (
                    title,
                    [
                        (label, value, f"{_question_url(step_of[name], change=True)}#{anchor}")
                        for label, value, anchor, name in rows
                    ],
                )
                for title, rows in form.answers()
            ],
            "duplicate_answer": shown.get("duplicate_answer", ""),
            "known_person_url": reverse("referrals:known_person"),
            "back_url": reverse("referrals:known_person")
            if shown
            else _question_url(_steps_asked(data)[-1]),
            "errors": errors,
        },
    )


def _forms_allowed(request: AuthenticatedHttpRequest, referral: Referral) -> dict[str, bool]:
    status = referral.status
    user = request.user
    return {
        "can_triage": can(user, Action.TRIAGE) and status == ReferralStatus.RECEIVED,
        "can_decline": can(user, Action.TRIAGE)
        and status in (ReferralStatus.RECEIVED, ReferralStatus.HELD),
        "can_resolve": can(user, Action.TRIAGE) and status == ReferralStatus.HELD,
        "can_decide_changes": can(user, Action.TRIAGE) and bool(referral.proposed_changes),
        "can_allocate": can(user, Action.ALLOCATE) and status == ReferralStatus.ACTIVE,
        "can_end": can(user, Action.END_SUPPORT)
        and status in (ReferralStatus.ACTIVE, ReferralStatus.WAITING),
        "can_amend": can(user, Action.AMEND_REFERRAL) and referral.is_open,
    }


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for(request.user, pk)
    # What a hold found, and how it was resolved, is for the manager alone: it speaks of
    # records the referrer may not see.
    sees_holds = can(request.user, Action.TRIAGE)
    differs = {name for match in referral.held_matches for name in match["differs"]}
    named = [FIELD_LABELS[name].lower() for name in IDENTITY_FIELDS if name in differs]
    held_differs = (
        " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        if sees_holds
        else ""
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "sees_holds": sees_holds,
            "held_differs": held_differs,
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
    title: str | Callable[[Referral], str],
    button: str | Callable[[Referral], str],
    make_form: Callable[[Any, Referral], forms.Form],
    perform: Callable[[Referral, dict[str, Any]], None],
    done: str | Callable[[Referral], str],
    intro: str = "",
    context: Callable[[Referral], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The shared shape of a one-question action page: check, ask, act, report. The
    words may depend on the referral (say, its status)."""
    referral = selectors.referral_get_for(request.user, pk)

    def say(words: str | Callable[[Referral], str]) -> str:
        return words if isinstance(words, str) else words(referral)

    if not _forms_allowed(request, referral)[allowed_key]:
        messages.info(request, "That has already been done, or is no longer possible.")
        return redirect("referrals:detail", pk=referral.pk)
    return form_page(
        request,
        form=make_form(request.POST or None, referral),
        perform=lambda data: perform(referral, data),
        title=say(title),
        button=say(button),
        done=say(done),
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
        context=lambda r: {
            "order_ends_within_support": order_ends_within_support(
                r.order_end_date, timezone.localdate()
            ),
            "order_ended": order_ended(r.order_end_date, timezone.localdate()),
            "expected_support_weeks": EXPECTED_SUPPORT_DAYS // 7,
        },
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
        allowed_key="can_decline",
        title="Decline the referral",
        button="Decline referral",
        make_form=lambda data, _r: DeclineForm(data, reasons=selectors.reasons(DeclineReason)),
        perform=perform,
        done="Referral declined",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.TRIAGE)
def referral_resolve_duplicate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The manager joins a referral held as a possible duplicate to a record it matched, or
    keeps its person as a separate new person, with a reason."""
    matches: list[HeldMatch] = []

    def make_form(data: Any, referral: Referral) -> ResolveDuplicateForm:
        matches[:] = held_matches_for(request.user, referral)
        choices = [
            (f"person-{m.participant.pk}", f"Yes: join it to record {number}")
            for number, m in enumerate(matches, start=1)
        ]
        choices.append((SEPARATE_CHOICE, "No: keep it as a separate new person"))
        return ResolveDuplicateForm(data, choices=choices)

    def perform(referral: Referral, data: dict[str, Any]) -> None:
        decision = data["decision"]
        join_to = next(
            (m.participant for m in matches if f"person-{m.participant.pk}" == decision), None
        )
        services.referral_resolve_duplicate(
            actor=request.user, referral=referral, join_to=join_to, reason=data["reason"]
        )

    return referral_action_page(
        request,
        pk,
        allowed_key="can_resolve",
        title="Check a possible duplicate",
        button="Save decision",
        intro="referrals/intro/resolve_duplicate.html",
        make_form=make_form,
        perform=perform,
        done="Possible duplicate resolved",
        context=lambda _r: {"matches": matches},
    )


def _proposed_rows(referral: Referral) -> list[tuple[str, str, str, str]]:
    """Each proposed detail: (field, label, the record's value, the proposed value)."""
    person = referral.participant
    rows = []
    for name, value in referral.proposed_changes.items():
        if name == "area":
            current = person.area.name
            proposed = str(Area.objects.filter(pk=value).first() or "")
        elif name == "location":
            current = person.get_location_display()
            proposed = str(dict(Location.choices).get(value, value))
        else:
            current, proposed = getattr(person, name) or "", str(value)
        rows.append((name, FIELD_LABELS.get(name, name), current, proposed))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.TRIAGE)
def referral_proposed_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The manager accepts or rejects, one by one, details a referral typed otherwise than
    the known person's record."""

    def make_form(data: Any, referral: Referral) -> ProposedChangesForm:
        rows = _proposed_rows(referral)
        return ProposedChangesForm(data, fields=[(name, label) for name, label, *_ in rows])

    def perform(referral: Referral, data: dict[str, Any]) -> None:
        services.referral_decide_proposed_changes(
            actor=request.user,
            referral=referral,
            decisions={name: value == "accept" for name, value in data.items()},
        )

    return referral_action_page(
        request,
        pk,
        allowed_key="can_decide_changes",
        title="Changes proposed to the person's details",
        button="Save decisions",
        intro="referrals/intro/proposed_changes.html",
        make_form=make_form,
        perform=perform,
        done="Proposed changes decided",
        context=lambda r: {"rows": _proposed_rows(r)},
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
        return AmendReferralForm(
            data,
            initial=referral_initial(referral),
            service=referral.service,
            on=timezone.localdate(referral.received_at),
        )

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
    page = paginate(request, selectors.waiting_list_for(request.user))
    audit_list(request.user, "waiting_list", page)
    return render(request, "referrals/waiting_list.html", {"page": page})


@requires(Action.SEE_SERVICE_FIGURES)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = selectors.service_figures(service_of(request.user))
    return render(request, "referrals/overview.html", {"figures": figures})
