"""Pages that belong to no one app: the home redirect and the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from pathways.core import feedback, health, selectors
from pathways.core.access import Action, Role, role_of
from pathways.core.http import refuse, requires
from pathways.core.pagination import paginate

_HOME = {
    Role.REFERRER: "referrals:list",
    Role.WORKER: "referrals:caseload",
    Role.MANAGER: "contacts:todo",  # the work queue (casework/queues.py)
    Role.COMMISSIONER: "reports:home",  # the figures owed (reports/summary.py)
    Role.ADMIN: "admin:index",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role is None:
        return render(request, "core/no_role.html", status=403)
    return redirect(_HOME[role])


@requires(Action.ADMINISTER)
def refusal_flags(request: HttpRequest) -> HttpResponse:
    """For the administrator: users with many refusals in the last hour, and changes of
    users' access (role, service, patch, active) in the last 30 days."""
    return render(
        request,
        "core/refusal_flags.html",
        {
            "flags": selectors.refusal_flags(),
            "threshold": settings.REFUSAL_FLAG_THRESHOLD,
            "role_changes": selectors.role_changes(),
            "role_changes_days": selectors.ROLE_CHANGES_DAYS,
        },
    )


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in page: everyone signs in at /accounts/login/. A signed-in user who
    is not an administrator is refused (404, audited) rather than sent round in a loop."""
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect("admin:index")
        refuse(request)  # type: ignore[arg-type]
    return redirect("/accounts/login/?next=/admin/")


def _public_page(request: HttpRequest, template: str) -> HttpResponse:
    """The footer's pages: open to everyone, signed in or not."""
    return render(
        request,
        template,
        {
            "contact_email": settings.SERVICE_CONTACT_EMAIL,
            "contact_name": settings.SERVICE_CONTACT_NAME,
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, in the form of GOV.UK's sample statement."""
    return _public_page(request, "core/accessibility.html")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what the service holds about whom, why, and the lawful basis."""
    return _public_page(request, "core/privacy.html")


@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    """The cookies page: the two strictly necessary cookies, and nothing else set."""
    return _public_page(request, "core/cookies.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        database = "unavailable"
    healthy = database == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "unhealthy",
            "database": database,
            "vendor": connection.vendor,
        },
        status=200 if healthy else 503,
    )


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, Redis and the queue's oldest waiting task (core/health.py);
    503 when the database cannot be used."""
    ready, report = health.readiness()
    return JsonResponse(report, status=200 if ready else 503)


@login_required
def more(request: HttpRequest) -> HttpResponse:
    """The navigation's "More": the user's other sections, when they have more than the
    navigation holds (``core.context_processors.MAX_ITEMS``)."""
    return render(request, "core/more.html")


@require_http_methods(["GET", "POST"])
def feedback_give(request: HttpRequest) -> HttpResponse:
    """The phase banner's feedback page (GOV.UK's): open to everyone, signed in or not;
    nothing personal is asked or kept (``core/feedback.py``)."""
    form = feedback.FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not feedback.within_limit(request):
            form.add_error(None, feedback.TOO_MANY)
        else:
            feedback.feedback_give(user=request.user, **form.cleaned_data)
            return redirect("feedback_thanks")
    return render(request, "core/feedback.html", {"form": form})


@require_GET
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "core/feedback_thanks.html")


@requires(Action.SEE_FEEDBACK)
def feedback_received(request: HttpRequest) -> HttpResponse:
    """The feedback given: the manager their service's, the administrator everyone's."""
    given = feedback.feedback_for(request.user)
    return render(
        request,
        "core/feedback_received.html",
        {
            "page": paginate(request, given),
            "counts": feedback.satisfaction_counts(given),
            "everyone": role_of(request.user) == Role.ADMIN,
        },
    )
