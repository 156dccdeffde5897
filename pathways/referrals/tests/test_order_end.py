"""An order or licence that has ended: refused at referral unless the referrer says why;
the accept page warns when the order ends within the expected time of support."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.core.errors import RuleBroken
from pathways.referrals import services
from pathways.referrals.eligibility import (
    EXPECTED_SUPPORT_DAYS,
    eligibility_problems,
    order_ends_within_support,
)
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import details_data, person_data
from pathways.referrals.tests.test_views import _date, answer_referral, form_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _problems(order_end_date: datetime.date, reason: str = "") -> list[str]:
    today = datetime.date(2026, 12, 1)
    return eligibility_problems(
        date_of_birth=datetime.date(1990, 1, 1),
        referral_date=today,
        cohort="iom",
        source="probation",
        order_end_date=order_end_date,
        order_ended_reason=reason,
    )


def test_an_order_ended_before_the_referral_needs_a_reason() -> None:
    today = datetime.date(2026, 12, 1)
    assert any("no longer on probation" in p for p in _problems(today - DAY))
    assert _problems(today - DAY, reason="   ") != []
    assert _problems(today - DAY, reason="Breach proceedings; probation still involved") == []
    # An order runs to the end of its end date.
    assert _problems(today) == []


def test_the_warning_uses_the_expected_time_of_support() -> None:
    today = datetime.date(2026, 12, 1)
    assert order_ends_within_support(today + (EXPECTED_SUPPORT_DAYS - 1) * DAY, today)
    assert not order_ends_within_support(today + EXPECTED_SUPPORT_DAYS * DAY, today)
    assert not order_ends_within_support(None, today)


def test_the_service_refuses_an_ended_order_without_a_reason(
    service: Service, referrer: User, north: Patch
) -> None:
    area = north.areas.get()
    ended = timezone.localdate() - DAY
    with pytest.raises(RuleBroken, match="no longer on probation"):
        services.referral_create(
            actor=referrer,
            service=service,
            person=person_data(area),
            details=details_data(order_end_date=ended),
        )
    assert not Referral.objects.exists()
    referral = services.referral_create(
        actor=referrer,
        service=service,
        person=person_data(area),
        details=details_data(order_end_date=ended, order_ended_reason="Licence recalled"),
    )
    assert referral.order_ended_reason == "Licence recalled"


def test_the_form_asks_why_only_when_the_order_has_ended(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    assert "order_ended_reason" not in client.get("/referrals/new/referral/").content.decode()
    ended = _date("order_end_date", timezone.localdate() - DAY)
    response = answer_referral(client, {**form_data(north), **ended})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter why the person should still be referred" in body
    assert 'name="order_ended_reason"' in body
    assert "Why should the person still be referred? (optional)" not in body
    assert not Referral.objects.exists()


def test_the_reason_is_kept_and_shown_to_the_manager(
    client: Client, service: Service, referrer: User, manager: User, north: Patch
) -> None:
    area = north.areas.get()
    referral = services.referral_create(
        actor=referrer,
        service=service,
        person=person_data(area),
        details=details_data(
            order_end_date=timezone.localdate() - DAY, order_ended_reason="Licence recalled"
        ),
    )
    client.force_login(manager)
    assert "Licence recalled" in client.get(f"/referrals/{referral.pk}/").content.decode()
    accept = client.get(f"/referrals/{referral.pk}/accept/").content.decode()
    assert "The order or licence ended on" in accept
    assert "Licence recalled" in accept


def test_accept_warns_when_the_order_ends_within_the_expected_time_of_support(
    client: Client, service: Service, referrer: User, manager: User, north: Patch
) -> None:
    area = north.areas.get()
    today = timezone.localdate()

    def accept_page(order_end_date: datetime.date) -> str:
        referral = services.referral_create(
            actor=referrer,
            service=service,
            person=person_data(area),
            details=details_data(order_end_date=order_end_date),
        )
        return client.get(f"/referrals/{referral.pk}/accept/").content.decode()

    client.force_login(manager)
    soon = accept_page(today + 30 * DAY)
    assert "The order or licence ends on" in soon
    assert f"within the {EXPECTED_SUPPORT_DAYS // 7} weeks" in soon
    later = accept_page(today + (EXPECTED_SUPPORT_DAYS + 30) * DAY)
    assert "within the" not in later


def test_amending_judges_the_end_date_on_the_day_the_referral_was_received(
    service: Service, referrer: User, north: Patch
) -> None:
    area = north.areas.get()
    referral = services.referral_create(
        actor=referrer,
        service=service,
        person=person_data(area),
        details=details_data(order_end_date=timezone.localdate() + 10 * DAY),
    )
    person = {name: getattr(referral.participant, name) for name in services.PERSON_FIELDS}
    details = {name: getattr(referral, name) for name in services.DETAIL_FIELDS}
    with pytest.raises(RuleBroken, match="no longer on probation"):
        services.referral_amend(
            actor=referrer,
            referral=referral,
            person=person,
            details={**details, "order_end_date": timezone.localdate() - DAY},
            reason="Typed the wrong year",
        )
    # Ending on the day it was received is still an order in force.
    services.referral_amend(
        actor=referrer,
        referral=referral,
        person=person,
        details={**details, "order_end_date": timezone.localdate()},
        reason="Typed the wrong day",
    )
    referral.refresh_from_db()
    assert referral.order_end_date == timezone.localdate()
