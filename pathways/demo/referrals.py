"""The demo's referrals: four months of the service replayed day by day through the real
services (received, accepted or declined, allocated, ended), with each person's support
history (support.py) while they receive support."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from pathways.accounts.models import Area, Service, User
from pathways.core.roles import Role
from pathways.demo.clock import clock_at, in_working_hours
from pathways.demo.support import support_history
from pathways.referrals import services
from pathways.referrals.models import Cohort, DeclineReason, EndReason, OrderType, Referral, Source
from pathways.referrals.people import likely_duplicates
from pathways.referrals.status import ReferralStatus

FIRST = [
    "Liam",
    "Aisha",
    "Connor",
    "Megan",
    "Tyler",
    "Jade",
    "Kieran",
    "Chloe",
    "Reece",
    "Amir",
    "Shannon",
    "Dylan",
    "Paige",
    "Callum",
    "Leah",
    "Jordan",
    "Bethany",
    "Harvey",
    "Zara",
    "Mason",
]
LAST = [
    "Walker",
    "Hussain",
    "Doyle",
    "Price",
    "Evans",
    "Clarke",
    "Riley",
    "Patel",
    "Hughes",
    "Begum",
    "Turner",
    "Kaur",
    "Wright",
    "Lowe",
    "Ahmed",
    "Barker",
    "Gill",
    "Foster",
]
CLOSING_SUMMARIES = {
    "sustained-work": "Started as a labourer with a local builder; CSCS card gained. "
    "Sustainment checks continue through the employer.",
    "disengaged": "Stopped attending after the first month despite calls and letters. "
    "Can be referred again.",
    "custody": "Temporary licence withdrawn: back in closed conditions. Plan shared with the "
    "prison's employment hub.",
}
COUNTS = {"accepted": 39, "ended": 3, "received": 4, "declined": 3}


def load(service: Service, users: dict[str, User]) -> None:
    """Replay four months of the service, day by day, through the real services.

    The clock is moved for each event so that every date (and every audit event) is
    the one it would have had; the waiting list fills and moves as it would have.
    """
    areas = list(Area.objects.filter(patch__service=service).order_by("pk"))
    referrer, manager = users["referrer"], users["manager"]
    workers = {u.patch_id: u for u in users.values() if u.role == Role.WORKER and u.patch_id}
    end = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    start = end - datetime.timedelta(days=120)
    total = COUNTS["accepted"] + COUNTS["received"] + COUNTS["declined"]
    referrals: dict[int, Referral] = {}
    # (when, order within the moment, what, which referral, reason code)
    events: list[tuple[datetime.datetime, int, str, int, str]] = []

    def at(i: int, days: float) -> datetime.datetime:
        """What happens to the ``i``th referral ``days`` after it would arrive: on that
        working day, in working hours (referrals are sent and decided in office hours)."""
        day = timezone.localdate(start + datetime.timedelta(days=i * 2.5 + days))
        # A weekend day goes to the Friday before or the Monday after: never past the
        # referral's next event, which is two days on at least.
        return in_working_hours(day, i + int(days))

    for i in range(total):
        events.append((at(i, 0), 0, "create", i, ""))
        if i < COUNTS["accepted"]:
            events.append((at(i, 2), 1, "accept", i, ""))
        elif i < COUNTS["accepted"] + COUNTS["declined"]:
            events.append((at(i, 3), 1, "decline", i, "in-work-or-education"))
    # The one returned to custody is on release on temporary licence (27 % 4 == 3).
    for i, code in zip((0, 13, 27), ("sustained-work", "disengaged", "custody"), strict=True):
        events.append((at(i, 45), 2, "end", i, code))
    last = COUNTS["accepted"] - 1  # still waiting when they move away: leaves the list
    events.append((at(last, 6), 2, "end", last, "moved-away"))
    for when, _order, action, i, code in sorted(events):
        with clock_at(when):
            if action == "create":
                referrals[i] = services.referral_create(
                    actor=referrer,
                    service=service,
                    person=_person(i, areas),
                    details=_details(i, start.date()),
                )
            elif action == "accept":
                services.referral_accept(actor=manager, referral=referrals[i])
            elif action == "decline":
                reason = DeclineReason.objects.get(code=code)
                services.referral_decline(actor=manager, referral=referrals[i], reason=reason)
            else:
                _end(referrals[i], i, code, when, manager, workers)
    active = Referral.objects.filter(service=service).active().order_by("started_at", "id")
    index = {referral.pk: i for i, referral in referrals.items()}
    for referral in list(active)[:-2]:  # two are left for the manager to allocate
        worker = _allocate(referral, manager, workers, end)
        support_history(referral, worker, index[referral.pk], end)
    # A known person's CRN under another first name: held for the manager to resolve.
    typed = {**_person(1, areas), "first_name": "Jon", "phone": "07700 900999"}
    with clock_at(end - datetime.timedelta(days=1)):
        services.referral_create(
            actor=referrer,
            service=service,
            person=typed,
            details=_details(total, end.date() - datetime.timedelta(days=1)),
            hold_for=likely_duplicates(
                referrer,
                crn=typed["crn"],
                first_name=typed["first_name"],
                last_name=typed["last_name"],
                date_of_birth=typed["date_of_birth"],
            ),
        )


def _allocate(
    referral: Referral, manager: User, workers: dict[int, User], end: datetime.datetime
) -> User:
    assert referral.started_at is not None
    worker = workers[referral.patch_id]
    next_day = timezone.localdate(referral.started_at) + datetime.timedelta(days=1)
    when = min(in_working_hours(next_day, referral.pk, later=True), end)
    with clock_at(when):
        services.referral_allocate(actor=manager, referral=referral, worker=worker)
    return worker


def _end(
    referral: Referral,
    i: int,
    code: str,
    when: datetime.datetime,
    manager: User,
    workers: dict[int, User],
) -> None:
    """End support, or the wait for it; support ends after its history is replayed."""
    referral.refresh_from_db()
    summary = ""
    if referral.status == ReferralStatus.ACTIVE:
        worker = _allocate(referral, manager, workers, when)
        support_history(
            referral, worker, i, when, ending=True, exit_reading=code == "sustained-work"
        )
        summary = CLOSING_SUMMARIES[code]
    with clock_at(when):
        services.referral_end(
            actor=manager,
            referral=referral,
            reason=EndReason.objects.get(code=code),
            closing_summary=summary,
        )


def _person(i: int, areas: list[Area]) -> dict[str, Any]:
    rotl = i % 4 == 3
    return {
        "first_name": FIRST[i % len(FIRST)],
        "last_name": LAST[(i * 7) % len(LAST)],
        "date_of_birth": datetime.date(1975 + (i * 3) % 30, 1 + i % 12, 1 + (i * 5) % 28),
        "crn": f"{'DEFHJK'[i % 6]}{100000 + i * 7919 % 900000:06d}",
        "pnc_id": f"{2000 + i % 20}/{1000000 + i * 37:07d}{'ABCDEFGHJ'[i % 9]}",
        "prison_number": f"A{1000 + i:04d}BC" if rotl else "",
        "gender": ["man", "man", "woman", "man", "non_binary", "not_said"][i % 6],
        "phone": f"07700 900{i:03d}",
        "email": "",
        "address": f"{i + 1} Example Street",
        "area": areas[i % len(areas)],
        "location": "custody" if rotl else "community",
    }


def _details(i: int, start: datetime.date) -> dict[str, Any]:
    rotl = i % 4 == 3
    return {
        "source": Source.PRISON if rotl else [Source.PROBATION, Source.YOS][i % 5 == 2],
        "cohort": Cohort.ROTL if rotl else [Cohort.IOM, Cohort.IOM, Cohort.OTHER][i % 3],
        "order_type": OrderType.CUSTODIAL if rotl else OrderType.COMMUNITY_ORDER,
        "order_end_date": start + datetime.timedelta(days=400 + i * 9),
        "prison_name": "HMP Stafford" if rotl else "",
        "expected_release_date": start + datetime.timedelta(days=200 + i) if rotl else None,
        "reason": "Wants to get into construction work; motivated but no recent work history.",
        "ete_needs": "No qualifications beyond GCSE; needs a CSCS card and help with a CV.",
        "risk_information": "",
        "risk_flags": ["curfew"] if i % 5 == 0 else [],
        "accessibility_needs": "Prefers information read aloud." if i % 7 == 0 else "",
        "interpreter_language": "Polish" if i % 11 == 0 else "",
        "consent_given": True,
        "consent_date": start + datetime.timedelta(days=i * 2.5 - 3),
    }
