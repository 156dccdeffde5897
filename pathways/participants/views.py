"""A person's record: who they are, their referrals, and what has happened."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from pathways.core.access import Action, can
from pathways.core.http import AuthenticatedHttpRequest
from pathways.core.pagination import paginate
from pathways.participants import selectors


@login_required
def participant_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get_for(request.user, pk)
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "referrals": selectors.referrals_of(request.user, participant),
            "page": paginate(request, selectors.timeline_for(participant)),
            "can_see_access_log": can(request.user, Action.SEE_ACCESS_LOG),
        },
    )


@login_required
def participant_access_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not can(request.user, Action.SEE_ACCESS_LOG):
        raise Http404("Not found")
    participant = selectors.participant_get_for(request.user, pk)
    return render(
        request,
        "participants/access_log.html",
        {
            "participant": participant,
            "page": paginate(request, selectors.access_log_for(participant)),
        },
    )
