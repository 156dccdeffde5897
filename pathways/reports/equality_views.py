"""The equality monitoring report page: the manager and the commissioner."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pathways.core.access import Action, Role, role_of
from pathways.core.forms import date_range
from pathways.core.http import AuthenticatedHttpRequest, requires, service_of
from pathways.core.periods import contract_year
from pathways.reports.equality import equality_report


@requires(Action.SEE_EQUALITY_REPORT)
def equality(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts and rates per group at each stage, for a period (GET: dates are not
    personal). Everyone sees the disclosure-controlled figures; the manager may switch to
    the working figures, which are marked as not for publication."""
    service = service_of(request.user)
    today = timezone.localdate()
    form, start, end = date_range(request.GET, contract_year(today).start, today)
    may_see_working = role_of(request.user) is Role.MANAGER
    working = may_see_working and request.GET.get("view") == "working"
    report = None
    if not form.errors:
        report = equality_report(service, start, end, controlled=not working)
    query = request.GET.copy()
    query.pop("view", None)
    return render(
        request,
        "reports/equality.html",
        {
            "form": form,
            "equality": report,
            "working": working,
            "may_see_working": may_see_working,
            "query": query.urlencode(),
        },
    )
