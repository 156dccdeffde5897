"""A person's data rights, on the manager's side: everything held about them (subject
access, as a page, a PDF and a JSON file) and restriction of processing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.core.access import Action
from pathways.core.errors import ProcessingRestricted
from pathways.core.forms import Form
from pathways.core.http import AuthenticatedHttpRequest, requires
from pathways.core.pages import form_page
from pathways.core.pdf import render_pdf
from pathways.data_protection import services
from pathways.data_protection.subject_access import Section, as_json, subject_access
from pathways.participants.guards import export_audited, restricted_page
from pathways.participants.models import Participant
from pathways.referrals import people as selectors


def _subject_access(
    request: AuthenticatedHttpRequest,
    pk: int,
    respond: Callable[[Participant, list[Section]], HttpResponse],
) -> HttpResponse:
    """Everything held about the person (managers only), in one of three forms; each export
    is audited, and refused while processing is restricted."""
    participant = selectors.participant_get_for(request.user, pk)
    try:
        export_audited(request, participant, "subject_access")
    except ProcessingRestricted:
        return restricted_page(request, participant)
    return respond(participant, subject_access(participant))


def _download(response: HttpResponse, participant: Participant, extension: str) -> HttpResponse:
    name = f"subject-access-{participant.pk}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(Action.SUBJECT_ACCESS)
def participant_subject_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Readable, on screen."""
    return _subject_access(
        request,
        pk,
        lambda participant, sections: render(
            request,
            "participants/subject_access.html",
            {"participant": participant, "sections": sections},
        ),
    )


@requires(Action.SUBJECT_ACCESS)
def participant_subject_access_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Readable, as a PDF to disclose."""

    def respond(participant: Participant, sections: list[Section]) -> HttpResponse:
        document = render_pdf(
            "participants/subject_access_document.html",
            {"participant": participant, "sections": sections, "produced": timezone.now()},
        )
        return _download(HttpResponse(document, content_type="application/pdf"), participant, "pdf")

    return _subject_access(request, pk, respond)


@requires(Action.SUBJECT_ACCESS)
def participant_subject_access_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Machine-readable (JSON)."""
    return _subject_access(
        request,
        pk,
        lambda participant, sections: _download(
            JsonResponse(as_json(participant, sections), json_dumps_params={"indent": 2}),
            participant,
            "json",
        ),
    )


class RestrictForm(Form):
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="For example: the person says their record is wrong and we are checking it.",
        error_messages={"required": "Enter why"},
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RESTRICT_PROCESSING)
def participant_restrict(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Restrict processing of the person's records, or lift the restriction (managers)."""
    participant = selectors.participant_get_for(request.user, pk)
    restricted = participant.processing_restricted_at is not None
    back = reverse("participants:detail", args=[participant.pk])

    def perform(data: dict[str, Any]) -> object:
        change = services.participant_unrestrict if restricted else services.participant_restrict
        return change(actor=request.user, participant=participant, reason=data["reason"])

    return form_page(
        request,
        form=RestrictForm(request.POST or None),
        perform=perform,
        title="Lift the restriction of processing" if restricted else "Restrict processing",
        button="Lift the restriction" if restricted else "Restrict processing",
        done="Restriction lifted" if restricted else "Processing restricted",
        caption=participant.full_name,
        back_url=back,
        back_label="Back to the record",
        intro="participants/_restrict_intro.html",
        context={"participant": participant, "restricted": restricted},
    )
