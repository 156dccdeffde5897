"""Demo outcomes: orders and proven offences for some people, targets for the half-years,
and the last half-year's commentary and RR Board report (generated once the demo's
transaction commits), through the real services with the clock moved (clock.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from pathways.accounts.models import Service, User
from pathways.core.periods import half_year
from pathways.demo.clock import clock_at
from pathways.outcomes import services
from pathways.outcomes.models import OffenceGroup, ProvenBy, Termination
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
            assert referral.started_at is not None
            start = referral.started_at.date() - datetime.timedelta(days=200 + n * 9)
            ended = n < 8 and referral.started_at.date() + datetime.timedelta(days=20 + n * 6)
            services.order_record(
                actor=manager,
                participant=referral.participant,
                order_type=OrderType.COMMUNITY_ORDER if n % 4 else OrderType.SUSPENDED_SENTENCE,
                start_date=start,
                expected_end_date=start + datetime.timedelta(days=365),
                actual_end_date=ended or None,
                termination=(Termination.BREACH if n in (2, 5) else Termination.COMPLETED)
                if ended
                else "",
            )
            if n in (2, 9):
                committed = referral.started_at.date() + datetime.timedelta(days=12 + n)
                services.offence_record(
                    actor=manager,
                    participant=referral.participant,
                    committed_on=committed,
                    proven_on=committed + datetime.timedelta(days=21),
                    proven_by=ProvenBy.CONVICTION if n == 2 else ProvenBy.CAUTION,
                    category=OffenceGroup.THEFT if n == 2 else OffenceGroup.PUBLIC_ORDER,
                    disposal="Fine" if n == 2 else "Simple caution",
                )
        this = half_year(end.date())
        last = half_year(this.start - datetime.timedelta(days=1))
        reports.commentary_save(
            actor=manager,
            service=service,
            period=last,
            text="The service filled its thirty places within six weeks of starting, and a "
            "waiting list formed. Construction employers opened most of the opportunities.\n"
            "Job starts are behind target: the next half-year focuses on the supply chain.",
        )
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
        reports.board_report_request(actor=manager, service=service, period=last)
