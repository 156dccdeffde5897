"""The outcomes dashboard, drill-downs, targets, and orders and offences by hand."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pathways.contracts.selectors import alert_for
from pathways.core import periods
from pathways.core.access import Action, can
from pathways.core.audit import AuditKind, audit
from pathways.core.charts import trend_chart
from pathways.core.errors import DomainError
from pathways.core.forms import PeriodForm
from pathways.core.http import (
    AuthenticatedHttpRequest,
    requires,
    service_chosen,
    service_of,
    services_overseen,
)
from pathways.core.pages import form_page
from pathways.core.pagination import paginate
from pathways.core.roles import Role
from pathways.outcomes import selectors, services
from pathways.outcomes.figures import (
    SECTOR_COLUMNS,
    FrozenFiguresUnreadable,
    mentoring_figures,
    mentoring_text,
    sector_rows,
    sector_rows_of,
)
from pathways.outcomes.forms import OffenceForm, OrderEndForm, OrderForm, TargetsForm
from pathways.outcomes.kept import counted_as_at, kind_of
from pathways.outcomes.measures import BY_KEY
from pathways.outcomes.models import Order
from pathways.referrals.people import participant_get_for
from pathways.referrals.selectors import service_figures

TREND_PERIODS = 6
DEFAULT_TREND = "placement_starts"


def _period_form(
    request: AuthenticatedHttpRequest, default: periods.Period | None = None
) -> PeriodForm:
    today = timezone.localdate()
    return PeriodForm(
        request.GET,
        choices=periods.named_choices(today),
        default=default or periods.half_year(today),
    )


def _half_years_to_offer(user: Any) -> tuple[periods.Period, periods.Period, periods.Period]:
    """(the page's default, the last closed half-year, the one in progress). The
    commissioner lands on the last closed half-year, whose figures are final; everyone else
    on the one in progress. Each is a click from the other."""
    current = periods.half_year(timezone.localdate())
    last_closed = periods.half_year(current.start - datetime.timedelta(days=1))
    default = last_closed if user.role == Role.COMMISSIONER else current
    return default, last_closed, current


# ``?as_at=today``: a closed period counted live as at today, with the facts about it
# recorded since it ended (the pages count it as at its last day otherwise).
AS_AT = "as_at"
AS_AT_TODAY = "today"


def _as_at(request: AuthenticatedHttpRequest, period: periods.Period) -> datetime.date:
    """The day the page counts the period as at: the one rule (``kept.counted_as_at``),
    or today when asked for a closed period."""
    today = timezone.localdate()
    if request.GET.get(AS_AT) == AS_AT_TODAY and period.closed(today):
        return today
    return counted_as_at(period, today)


def _query(request: AuthenticatedHttpRequest, *, as_at_today: bool) -> str:
    """The page's own query with the as-at day switched."""
    query = request.GET.copy()
    query.pop(AS_AT, None)
    if as_at_today:
        query[AS_AT] = AS_AT_TODAY
    return query.urlencode()


def _figures_source(
    request: AuthenticatedHttpRequest, period: periods.Period, source: selectors.Held
) -> dict[str, Any]:
    """What the page says about where its figures come from and as at which day: the
    snapshot of a frozen period, the kept figures of a closed named period (as at its
    last day), a closed range of one's own dates counted live as at its last day, or a
    closed period counted as at today on request."""
    snapshot, closed = source.snapshot, period.closed()
    return {
        "snapshot": snapshot,
        "kept": source.kept,
        "as_of": source.day,
        "period_kind": kind_of(period),
        "at_end": closed and source.day == period.end,
        "as_at_today": closed and source.day > period.end,
        "as_at_today_query": _query(request, as_at_today=True),
        "at_end_query": _query(request, as_at_today=False),
        "live_past_range": snapshot is None and closed and not periods.is_named(period),
    }


def _tables(service: Any, period: periods.Period, source: selectors.Held) -> dict[str, Any]:
    """The sector, mentoring and referral tables: as held (kept or frozen) where they
    are, else counted now as at the page's day."""
    try:
        held = source.records()
    except FrozenFiguresUnreadable:
        held = None
    placements = (held or {}).get("placements", {})
    return {
        "by_sector": sector_rows_of(placements["by_sector"])
        if "by_sector" in placements
        else sector_rows(service, period),
        "mentoring": mentoring_text(
            placements["mentoring"]
            if "mentoring" in placements
            else mentoring_figures(service, period, min(period.end, source.day))
        ),
        **{
            f"by_{field}": selectors.labelled(held[f"referrals_by_{field}"], field)
            if held
            else selectors.referrals_by(service, period, field)
            for field in ("source", "cohort")
        },
    }


@requires(Action.SEE_SERVICE_FIGURES)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every measure for a period against its targets, a trend, capacity and referrals;
    for a commissioner who oversees several services, of the one chosen, or of them all."""
    overseen = services_overseen(request.user)
    chosen = request.GET.get("service", "")
    if chosen == ALL_SERVICES and len(overseen) > 1:
        return _all_services(request, overseen)
    service = service_chosen(request.user, chosen)
    default, last_closed, in_progress = _half_years_to_offer(request.user)
    form = _period_form(request, default)
    period = form.chosen
    trend_measure = BY_KEY.get(request.GET.get("trend", ""), BY_KEY[DEFAULT_TREND])
    trend_periods = periods.previous(period, "half", TREND_PERIODS)
    trend = selectors.trend(service, trend_measure, trend_periods)
    source = selectors.held(service, period, _as_at(request, period))
    figures_source = _figures_source(request, period, source)
    late = (
        sum(selectors.facts_recorded_after(service, period).values())
        if figures_source["at_end"]
        else None
    )
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "form": form,
            "period": period,
            "results": selectors.measures_for_period(service, period, source=source),
            "trend_measure": trend_measure,
            "trend": trend,
            "trend_chart": trend_chart(
                f"Column chart of {trend_measure.name.lower()} in the last {TREND_PERIODS} "
                "half-years",
                [p.short_label for p, _ in trend],
                [value for _, value in trend],
            ),
            "measures": list(BY_KEY.values()),
            "figures": service_figures(service),
            "contract_alert": alert_for(service, timezone.localdate()),
            "sector_columns": list(SECTOR_COLUMNS.values()),
            **_tables(service, period, source),
            "late": late,
            "can_drill_down": can(request.user, Action.SEE_DRILLDOWN),
            "can_set_targets": can(request.user, Action.SET_TARGETS),
            "last_closed": last_closed,
            "in_progress": in_progress,
            **_services_offered(request.user, overseen, service.slug),
            **figures_source,
        },
    )


# The choice of every service the user oversees together (their total).
ALL_SERVICES = "all"


def _services_offered(user: Any, overseen: list[Any], chosen: str) -> dict[str, Any]:
    """What the dashboard offers a user who oversees several services: each, and all."""
    return {
        "services": overseen if len(overseen) > 1 else [],
        "chosen_service": chosen,
        "all_services": ALL_SERVICES,
        # Targets and the distance-travelled page are of the user's own service.
        "own_service": user.service is not None and chosen == user.service.slug,
    }


def _all_services(request: AuthenticatedHttpRequest, overseen: list[Any]) -> HttpResponse:
    """Every measure for each service the user oversees and for them all together, a
    person in two services counted once in the total (``selectors.measures_for_services``,
    as ``manage.py measures`` without ``--service``). A total has no target."""
    default, last_closed, in_progress = _half_years_to_offer(request.user)
    form = _period_form(request, default)
    period = form.chosen
    each, total = selectors.measures_for_services(overseen, period)
    rows = [
        (result.measure, [results[i] for _service, results in each], result)
        for i, result in enumerate(total)
    ]
    return render(
        request,
        "outcomes/dashboard_services.html",
        {
            "form": form,
            "period": period,
            "columns": [service for service, _results in each],
            "rows": rows,
            "last_closed": last_closed,
            "in_progress": in_progress,
            **_services_offered(request.user, overseen, ALL_SERVICES),
        },
    )


@requires(Action.SEE_DRILLDOWN)
def drilldown(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """The named records a measure counted: the manager only, and every view audited."""
    measure = BY_KEY.get(key)
    if measure is None:
        raise Http404("No such measure")
    service = service_of(request.user)
    form = _period_form(request)
    period = form.chosen
    source = selectors.held(service, period, _as_at(request, period))
    page = paginate(request, selectors.drilldown(service, measure, period, as_of=source.day))
    rows = [[column.of(record) for column in measure.columns] for record in page.object_list]
    audit(
        actor=request.user,
        kind=AuditKind.VIEW,
        action="measure.drilldown_viewed",
        obj=service,
        subject_id=None,
        summary=f"Drill-down of {measure.name}, {period}",
        detail={
            "measure": measure.key,
            "period": period.key,
            "as_of": source.day.isoformat(),
            "page": page.number,
            "records": [str(record.pk) for record in page.object_list],
        },
    )
    return render(
        request,
        "outcomes/drilldown.html",
        {
            "measure": measure,
            "period": period,
            "form": form,
            "figure": selectors.figure_for(
                service, measure, period, source.day, source.snapshot, source.kept
            ),
            "page": page,
            "rows": rows,
            **_figures_source(request, period, source),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.SET_TARGETS)
def targets(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_of(request.user)
    period = _period_form(request).chosen
    existing = selectors.targets_for(service, period)
    initial: dict[str, Any] = {"tolerance": selectors.tolerance_of(service)}
    for key, found in existing.items():
        for target in found:
            initial[f"{key}__{target.kind}"] = target.value
    form = TargetsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if form.cleaned_data["tolerance"] != initial["tolerance"]:
                    services.tolerance_set(
                        actor=request.user, service=service, percent=form.cleaned_data["tolerance"]
                    )
                for key, kind, value in form.targets():
                    if initial.get(f"{key}__{kind}") == value:
                        continue
                    if value is None:
                        services.target_clear(
                            actor=request.user,
                            service=service,
                            measure_key=key,
                            period=period,
                            kind=kind,
                        )
                    else:
                        services.target_set(
                            actor=request.user,
                            service=service,
                            measure_key=key,
                            period=period,
                            kind=kind,
                            value=value,
                        )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Targets saved")
            return redirect(f"{reverse('outcomes:dashboard')}?period={period.key}")
    return render(
        request,
        "outcomes/targets.html",
        {"form": form, "period": period, "period_form": _period_form(request)},
    )


# Orders and proven offences entered by hand, from the person's record.


def _person_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    form: Any,
    perform: Any,
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    participant = participant_get_for(request.user, pk)
    return form_page(
        request,
        form=form(request.POST or None),
        perform=lambda data: perform(participant, data),
        caption=participant.full_name,
        back_url=reverse("participants:detail", args=[participant.pk]),
        back_label="Back to the person's record",
        title=title,
        button=button,
        done=done,
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RECORD_OUTCOMES)
def order_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _person_page(
        request,
        pk,
        form=OrderForm,
        perform=lambda person, data: services.order_record(
            actor=request.user, participant=person, **data
        ),
        title="Record an order or licence",
        button="Save order",
        done="Order recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RECORD_OUTCOMES)
def order_end(request: AuthenticatedHttpRequest, pk: int, order_pk: int) -> HttpResponse:
    def perform(person: Any, data: dict[str, Any]) -> None:
        order = Order.objects.filter(participant=person, pk=order_pk).first()
        if order is None:
            raise Http404("No such order")
        services.order_end(actor=request.user, order=order, **data)

    return _person_page(
        request,
        pk,
        form=OrderEndForm,
        perform=perform,
        title="Record how the order ended",
        button="Save",
        done="Order updated",
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(Action.RECORD_OUTCOMES)
def offence_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _person_page(
        request,
        pk,
        form=OffenceForm,
        perform=lambda person, data: services.offence_record(
            actor=request.user, participant=person, **data
        ),
        title="Record a proven offence",
        button="Save offence",
        done="Proven offence recorded",
    )
