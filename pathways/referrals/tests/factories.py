"""Referral test data: the form's data dictionaries, and referrals made through services."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from pathways.accounts.models import Area, Service, User
from pathways.referrals import services
from pathways.referrals.models import Cohort, OrderType, Referral, Source

_crns = itertools.count(100000)


def person_data(area: Area, **overrides: Any) -> dict[str, Any]:
    n = next(_crns)
    today = timezone.localdate()
    data: dict[str, Any] = {
        "first_name": f"Test{n}",
        "last_name": "Person",
        "date_of_birth": today.replace(year=today.year - 30),
        "crn": f"X{n:06d}",
        "pnc_id": "",
        "prison_number": "",
        "gender": "man",
        "phone": "",
        "email": "",
        "address": "",
        "area": area,
        "location": "community",
    }
    data.update(overrides)
    return data


def details_data(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "source": Source.PROBATION,
        "cohort": Cohort.IOM,
        "order_type": OrderType.COMMUNITY_ORDER,
        "order_end_date": today + datetime.timedelta(days=365),
        "prison_name": "",
        "expected_release_date": None,
        "reason": "Wants work in construction.",
        "ete_needs": "Needs a CSCS card.",
        "risk_information": "",
        "risk_flags": [],
        "accessibility_needs": "",
        "interpreter_language": "",
        "consent_given": True,
        "consent_date": today,
    }
    data.update(overrides)
    return data


def make_referral(
    referrer: User, *, area: Area | None = None, service: Service | None = None, **person: Any
) -> Referral:
    """A referral through the service; the person lives in the North patch unless told."""
    service = service or referrer.service
    assert service is not None
    areas = Area.objects.filter(patch__service=service).order_by("pk")
    area = area or areas.filter(patch__name="North").first() or areas.first()
    assert area is not None
    return services.referral_create(
        actor=referrer, service=service, person=person_data(area, **person), details=details_data()
    )


def make_active(referrer: User, manager: User, **person: Any) -> Referral:
    referral = services.referral_accept(actor=manager, referral=make_referral(referrer, **person))
    assert referral.started_at is not None
    return referral


# The allocated case of the ``case`` fixture (root conftest.py) starts on STARTED; the
# clock then stands at TODAY, so dates before, on and after the start can be tried.
LONDON = datetime.timezone(datetime.timedelta(hours=1))
STARTED = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=LONDON)
TODAY = datetime.date(2026, 10, 1)
NOW = datetime.datetime(2026, 10, 1, 10, 0, tzinfo=LONDON)
