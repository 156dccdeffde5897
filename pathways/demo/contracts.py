"""The demo contract, in the shape of the commissioning decision
(/work/shared/commissioning-decision.txt; DOMAIN.md): a pilot from 1 May 2022 for two
years, two 12-month extension options to 30 April 2026, about £75,000 to £80,000 a year,
and the procurement timetable from issuing the invitation to tender on 28 February 2022 to
mobilisation in the week commencing 2 May 2022. Recorded through the services, as the
manager would. Called once by load_demo, inside its transaction.

The decision gives a range, not a price, and no payment dates: the demo takes £77,500 a
year and pays it quarterly in arrears, and says so in the notes.

The term ran to 30 April 2026, before the demo's own dates (from April 2026), so the demo
adds the follow-on contract that covers them: two further years from 1 May 2026 to 30
April 2028 at the same price, recorded as a further period of the contract taken (the
service has one contract record), paid quarterly in arrears as before. Every cost figure
of the demo is then real, and the contract is not flagged as ending.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models

from pathways.accounts.models import Service, User
from pathways.contracts import services
from pathways.contracts.models import (
    AnnualValue,
    CoFunder,
    Extension,
    ExtensionStatus,
    Milestone,
    Payment,
)

D = datetime.date
ANNUAL = Decimal("77500.00")
FOLLOW_ON_START = D(2026, 5, 1)
# The follow-on contract's payments so far (quarters to July and October 2026).
LAST_PAYMENT = D(2026, 11, 15)

# (name, planned date, how precise) from the decision's procurement timeline.
MILESTONES = [
    ("Decision required by", D(2022, 2, 17), ""),
    ("Issue call-off invitation to tender via the eSourcing system", D(2022, 2, 28), ""),
    ("Deadline for queries and clarifications", D(2022, 3, 2), ""),
    ("Deadline for tender responses", D(2022, 3, 11), "12 noon,"),
    ("Notification of intention to award", D(2022, 4, 11), "Week commencing"),
    ("End of standstill period", D(2022, 4, 25), "Week commencing"),
    ("Call-off effective date: mobilisation begins", D(2022, 5, 2), "Week commencing"),
]


def load(service: Service, users: dict[str, User]) -> None:
    manager = users["manager"]
    contract = services.contract_save(
        actor=manager,
        service=service,
        provider="Provider appointed from the MoJ Probation Rehabilitation Services Framework "
        "(Education, Training and Employment lot)",
        commissioner="Staffordshire Commissioner's Office",
        reference="SCP-D-202324-003",
        start_date=D(2022, 5, 1),
        pilot_end_date=D(2024, 4, 30),
        notes="Pilot of two years from 1 May 2022, with the option to extend for two further "
        "periods of 12 months subject to satisfactory performance. Estimated £75,000 to "
        "£80,000 a year; £300,000 to £320,000 over the full term to 30 April 2026. "
        "Follow-on contract from 1 May 2026 to 30 April 2028 at the same price (recorded "
        "here as a further period taken).",
    )

    def save(part: models.Model, **fields: object) -> None:
        services.contract_part_save(actor=manager, contract=contract, part=part, **fields)

    for start in (D(2024, 5, 1), D(2025, 5, 1)):
        save(
            Extension(),
            start_date=start,
            end_date=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
            status=ExtensionStatus.TAKEN,
            decided_on=None,
        )
    # The follow-on contract covering the demo's dates.
    save(
        Extension(),
        start_date=FOLLOW_ON_START,
        end_date=D(2028, 4, 30),
        status=ExtensionStatus.TAKEN,
        decided_on=D(2026, 2, 27),
    )
    for year in range(2022, 2028):
        save(
            AnnualValue(),
            year_start=D(year, 5, 1),
            amount=ANNUAL,
            note="Demo figure within the decision's estimate of £75,000 to £80,000 a year",
        )
    save(
        CoFunder(),
        name="Staffordshire Commissioner's Office",
        share_percent=Decimal(100),
        share_amount=None,
        from_date=None,
        note="Co-funding with partners to be explored from the first extension",
    )
    quarter = (ANNUAL / 4).quantize(Decimal("0.01"))
    for year in range(2022, 2027):
        for month_end, paid in ((7, 8), (10, 11), (1, 2), (4, 5)):
            calendar_year = year if month_end >= 5 else year + 1
            if D(calendar_year, paid, 15) > LAST_PAYMENT:
                continue
            save(
                Payment(),
                paid_on=D(calendar_year, paid, 15),
                amount=quarter,
                note=f"Demo: quarter to the end of {D(calendar_year, month_end, 1):%B %Y}, "
                "in arrears",
            )
    for name, planned, note in MILESTONES:
        save(Milestone(), name=name, planned_on=planned, planned_note=note, actual_on=None)
