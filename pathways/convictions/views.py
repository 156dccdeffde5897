"""Recording a conviction on the person's record, and the disclosure summary for coaching
(PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.convictions import selectors, services
from pathways.convictions.forms import ConvictionForm
from pathways.core.access import Action
from pathways.core.errors import ProcessingRestricted
from pathways.core.http import AuthenticatedHttpRequest, requires
from pathways.core.pages import form_page
from pathways.core.pdf import render_pdf
from pathways.participants.guards import export_audited, restricted_page
from pathways.referrals.people import participant_get_for
from pathways.rehabilitation.filtering import CheckLevel


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RECORD_OUTCOMES)
def conviction_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = participant_get_for(request.user, pk)
    form = ConvictionForm(request.POST or None)
    return form_page(
        request,
        form=form,
        perform=lambda data: services.conviction_record(
            actor=request.user, participant=participant, **form.service_arguments()
        ),
        caption=participant.full_name,
        back_url=reverse("participants:detail", args=[participant.pk]),
        back_label="Back to the person's record",
        title="Record a conviction or caution",
        button="Save conviction",
        done="Conviction recorded",
    )


@login_required
@requires(Action.RECORD_OUTCOMES)
def disclosure_summary_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the person must disclose, and until when, for coaching (audited as an export)."""
    participant = participant_get_for(request.user, pk)  # 404 (audited) outside the scope
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        export_audited(request, participant, "disclosure_summary")
    except ProcessingRestricted:
        return restricted_page(request, participant)
    today = timezone.localdate()
    rows = selectors.convictions_of(request.user, participant)
    checks = [
        (level, sum(selectors.shown_on(level, r.conviction, today) for r in rows))
        for level in (CheckLevel.BASIC, CheckLevel.STANDARD, CheckLevel.ENHANCED)
    ]
    document = render_pdf(
        "convictions/disclosure_summary.html",
        {
            "participant": participant,
            "produced": today,
            "checks": checks,
            **selectors.conviction_section(request.user, participant),
        },
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="disclosure-{participant.pk}.pdf"'
    return response
