"""Demo outcomes: orders and proven offences for some people, targets for the half-years,
and the last half-year's commentary and RR Board report (generated once the demo's
transaction commits), through the real services with the clock moved (clock.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.periods import half_year
from pathways.demo.clock import clock_at
from pathways.outcomes import services
from pathways.outcomes.measures import TargetUnit
from pathways.outcomes.models import OffenceGroup, ProvenBy, Termination
from pathways.outcomes.selectors import MeasureResult, Status, judged_value, measures_for_period
from pathways.referrals.models import OrderType, Referral
from pathways.reports import services as reports

# (measure, intermediate, long-term) for each half-year shown.
TARGETS = [
    ("training_placements_created", 3, 6),
    ("employment_placements_created", 6, 12),
    ("participants_put_forward", 8, 16),
    ("distance_travelled", 15, 30),
    ("placement_starts", 6, 12),
    ("placement_completions", 4, 8),
    ("orders_completed", 3, 6),
    ("job_starts", 2, 5),
    ("waiting_time", 14, 10),
]


def load(service: Service, users: dict[str, User], *, end: datetime.datetime) -> None:
    manager = users["manager"]
    started = list(
        Referral.objects.filter(service=service, started_at__isnull=False)
        .select_related("participant")
        .order_by("started_at", "id")[:12]
    )
    with clock_at(end):
        for n, referral in enumerate(started):
            _order_story(manager, referral, n)
        this = half_year(end.date())
        last = half_year(this.start - datetime.timedelta(days=1))
        for period in (last, this):
            for key, intermediate, long_term in TARGETS:
                for kind, value in (("intermediate", intermediate), ("long_term", long_term)):
                    services.target_set(
                        actor=manager,
                        service=service,
                        measure_key=key,
                        period=period,
                        kind=kind,
                        value=Decimal(value),
                    )
        reports.commentary_save(
            actor=manager,
            service=service,
            period=last,
            text=commentary(measures_for_period(service, last, as_of=last.end)),
        )
        reports.board_report_request(actor=manager, service=service, period=last)


def _order_story(manager: User, referral: Referral, n: int) -> None:
    """The ``n``th person's order, and any proven offence, told so they agree: a person
    convicted of a new offence has their order ended by it, on the day of the conviction;
    a caution leaves the order running; a breach ends it without an offence."""
    assert referral.started_at is not None
    started = timezone.localdate(referral.started_at)
    start = started - datetime.timedelta(days=200 + n * 9)
    ended: datetime.date | None = started + datetime.timedelta(days=20 + n * 6) if n < 8 else None
    termination = Termination.COMPLETED if ended else ""
    offence = OFFENCES.get(n)
    if offence is not None:
        committed = started + datetime.timedelta(days=12 + n)
        proven = committed + datetime.timedelta(days=21)
        services.offence_record(
            actor=manager,
            participant=referral.participant,
            committed_on=committed,
            proven_on=proven,
            proven_by=offence[0],
            category=offence[1],
            disposal=offence[2],
        )
        if offence[0] == ProvenBy.CONVICTION:
            ended, termination = proven, Termination.NEW_OFFENCE
    elif ended and n in BREACHED:
        termination = Termination.BREACH
    services.order_record(
        actor=manager,
        participant=referral.participant,
        order_type=OrderType.COMMUNITY_ORDER if n % 4 else OrderType.SUSPENDED_SENTENCE,
        start_date=start,
        expected_end_date=start + datetime.timedelta(days=365),
        actual_end_date=ended,
        termination=termination,
    )


# Which of the first people started have a proven offence while on the service, and how.
OFFENCES = {
    2: (ProvenBy.CONVICTION, OffenceGroup.THEFT, "Fine"),
    9: (ProvenBy.CAUTION, OffenceGroup.PUBLIC_ORDER, "Simple caution"),
}
# Whose orders end in a breach of their requirements (no new offence).
BREACHED = frozenset({5})

STATUS_SENTENCES = (
    (Status.GREEN, "On target"),
    (Status.AMBER, "Near target"),
    (Status.RED, "Below target"),
)


def _lower_first(name: str) -> str:
    return name[0].lower() + name[1:]


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def commentary(results: list[MeasureResult]) -> str:
    """The manager's commentary on a closed half-year, written from its figures against
    their targets, so each measure it names is in the status it says."""
    by_key = {result.measure.key: result for result in results}

    def figure(key: str) -> Any:
        value = by_key[key].figure.value
        return 0 if value is None else value

    lines = [
        f"The service received {figure('referrals_received')} referrals and "
        f"{figure('starts')} people started support; {figure('caseload')} were receiving "
        "support at the end of the half-year. Construction employers opened most of the "
        "opportunities."
    ]
    for status, words in STATUS_SENTENCES:
        named = [
            f"{_lower_first(result.measure.name)} ({_shown(result)})"
            for result in results
            if result.status == status
        ]
        if named:
            lines.append(f"{words}: {_listed(named)}.")
    behind = [_lower_first(r.measure.name) for r in results if r.status == Status.RED]
    lines.append(
        f"The next half-year focuses on {_listed(behind)}."
        if behind
        else "Every measure with a target met it or came near; the next half-year keeps to "
        "the plan."
    )
    return "\n".join(lines)


def _shown(result: MeasureResult) -> str:
    """A figure against its first target, as the report's table puts them."""
    target = result.targets[0]
    value = judged_value(result.measure, result.figure)
    number = "none" if value is None else f"{value:g}"
    if target.unit == TargetUnit.RATE:
        number = "none" if value is None else f"{value:g}%"
    return f"{number} against {target.shown}"
