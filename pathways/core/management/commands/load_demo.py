"""Load the demo: the Staffordshire and Stoke-on-Trent service, its people and referrals.

Idempotent: a second run finds the service and changes nothing. Every referral is made
through the same services the pages use, so the audit trail and timelines are real.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import Area, Patch, Service, User
from pathways.core.roles import Role
from pathways.referrals import services
from pathways.referrals.models import Cohort, DeclineReason, EndReason, OrderType, Referral, Source

DEMO_PASSWORD = "Pathways-demo-2026"  # noqa: S105 - published demo sign-in
SERVICE_SLUG = "staffordshire"
PATCHES = {
    "North": ["Stoke-on-Trent", "Newcastle-under-Lyme", "Staffordshire Moorlands", "Stafford"],
    "South": [
        "Cannock Chase",
        "East Staffordshire",
        "Lichfield",
        "South Staffordshire",
        "Tamworth",
    ],
}
USERS: list[tuple[str, str, str, Role, str | None, str]] = [
    ("referrer", "Priya", "Shah", Role.REFERRER, None, "Probation Service, Stoke-on-Trent"),
    ("worker-north", "Sam", "Okafor", Role.WORKER, "North", ""),
    ("worker-south", "Jo", "Bennett", Role.WORKER, "South", ""),
    ("manager", "Alex", "Morgan", Role.MANAGER, None, ""),
    ("commissioner", "Chris", "Hall", Role.COMMISSIONER, None, ""),
    ("admin", "Ada", "Admin", Role.ADMIN, None, ""),
]
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
COUNTS = {"accepted": 39, "ended": 3, "received": 4, "declined": 3}


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if Service.objects.filter(slug=SERVICE_SLUG).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            "Demo sign-ins at /accounts/login/ (password "
            f"{DEMO_PASSWORD}): " + ", ".join(username for username, *_ in USERS)
        )

    def _load(self) -> None:
        service = Service.objects.create(
            name="Staffordshire and Stoke-on-Trent Employment Support Service",
            slug=SERVICE_SLUG,
            capacity=30,
        )
        areas: list[Area] = []
        patches = {}
        for patch_name, area_names in PATCHES.items():
            patch = Patch.objects.create(service=service, name=patch_name)
            patches[patch_name] = patch
            areas += [Area.objects.create(patch=patch, name=name) for name in area_names]
        users = {}
        for username, first, last, role, user_patch, organisation in USERS:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                role=role,
                service=None if role == Role.ADMIN else service,
                patch=patches.get(user_patch or ""),
                organisation=organisation,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        self._referrals(service, areas, users)

    def _referrals(self, service: Service, areas: list[Area], users: dict[str, User]) -> None:
        referrer, manager = users["referrer"], users["manager"]
        workers = {u.patch_id: u for u in users.values() if u.role == Role.WORKER}
        today = timezone.localdate()
        total = COUNTS["accepted"] + COUNTS["received"] + COUNTS["declined"]
        made = []
        for i in range(total):
            cohort = [Cohort.IOM, Cohort.IOM, Cohort.OTHER, Cohort.ROTL][i % 4]
            rotl = cohort == Cohort.ROTL
            person = {
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
            details = {
                "source": Source.PRISON if rotl else [Source.PROBATION, Source.YOS][i % 5 == 3],
                "cohort": cohort,
                "order_type": OrderType.CUSTODIAL if rotl else OrderType.COMMUNITY_ORDER,
                "order_end_date": today + datetime.timedelta(days=200 + i * 9),
                "prison_name": "HMP Stafford" if rotl else "",
                "expected_release_date": today + datetime.timedelta(days=90 + i) if rotl else None,
                "reason": "Wants to get into construction work; motivated but no recent work history.",
                "ete_needs": "No qualifications beyond GCSE; needs a CSCS card and help with a CV.",
                "risk_information": "",
                "risk_flags": ["curfew"] if i % 5 == 0 else [],
                "accessibility_needs": "Prefers information read aloud." if i % 7 == 0 else "",
                "interpreter_language": "Polish" if i % 11 == 0 else "",
                "consent_given": True,
                "consent_date": today - datetime.timedelta(days=120 - i * 2),
            }
            referral = services.referral_create(
                actor=referrer, service=service, person=person, details=details
            )
            Referral.objects.filter(pk=referral.pk).update(
                received_at=timezone.now() - datetime.timedelta(days=120 - i * 2)
            )
            referral.refresh_from_db()
            made.append(referral)
        accepted = made[: COUNTS["accepted"]]
        for referral in accepted:
            services.referral_accept(actor=manager, referral=referral)
        ended = accepted[:: COUNTS["accepted"] // COUNTS["ended"]][: COUNTS["ended"]]
        end_codes = ["sustained-work", "disengaged", "custody"]
        for referral, code in zip(ended, end_codes, strict=True):
            services.referral_end(
                actor=manager, referral=referral, reason=EndReason.objects.get(code=code)
            )
        declined = made[COUNTS["accepted"] : COUNTS["accepted"] + COUNTS["declined"]]
        for referral in declined:
            services.referral_decline(
                actor=manager,
                referral=referral,
                reason=DeclineReason.objects.get(code="in-work-or-education"),
            )
        active = list(Referral.objects.filter(service=service).active().order_by("id"))
        for referral in active[:-2]:  # leave two for the manager to allocate
            services.referral_allocate(
                actor=manager, referral=referral, worker=workers[referral.patch_id]
            )
