"""Someone on the waiting list is removed from it with a reason, not given "End support";
the waiting list shows how many days each person has waited."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Patch, Service, User
from pathways.core.models import AuditEvent
from pathways.referrals import services as referrals
from pathways.referrals.models import EndReason, Referral
from pathways.referrals.status import ReferralStatus
from pathways.referrals.tests.factories import NOW, make_active, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(
    clock: time_machine.Traveller, personas: dict[str, User], north: Patch, south: Patch
) -> Referral:
    """A North person on the waiting list since 10 days before NOW."""
    referrer, manager = personas["referrer"], personas["manager"]
    clock.move_to(NOW - datetime.timedelta(days=10))
    Service.objects.filter(pk=north.service_id).update(capacity=1)
    make_active(referrer, manager)
    referral = referrals.referral_accept(actor=manager, referral=make_referral(referrer))
    clock.move_to(NOW)
    assert referral.status == ReferralStatus.WAITING
    return referral


def test_a_waiting_person_is_offered_removal_not_end_of_support(
    client: Client, personas: dict[str, User], waiting: Referral
) -> None:
    client.force_login(personas["manager"])
    detail = client.get(f"/referrals/{waiting.pk}/").content.decode()
    assert "Remove from the waiting list" in detail
    assert "End support" not in detail
    page = client.get(f"/referrals/{waiting.pk}/end/").content.decode()
    assert "Remove from the waiting list" in page
    assert "Why is the person leaving the waiting list?" in page
    assert "End support" not in page
    assert "Closing summary" not in page


def test_removal_needs_a_reason_and_is_audited(
    client: Client, personas: dict[str, User], waiting: Referral
) -> None:
    client.force_login(personas["manager"])
    refused = client.post(f"/referrals/{waiting.pk}/end/", {"reason": "", "note": ""})
    assert refused.status_code == 200
    assert "Select why the person is leaving the waiting list" in refused.content.decode()
    reason = EndReason.objects.get(code="moved-away")
    done = client.post(
        f"/referrals/{waiting.pk}/end/", {"reason": reason.pk, "note": ""}, follow=True
    )
    assert "Removed from the waiting list" in done.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WITHDRAWN
    event = AuditEvent.objects.filter(action="referral.ended").latest("id")
    assert event.summary == "Left the waiting list: Moved away"


def test_a_person_receiving_support_still_has_end_support(
    client: Client, personas: dict[str, User], waiting: Referral
) -> None:
    active = Referral.objects.active().get()
    client.force_login(personas["manager"])
    assert "End support" in client.get(f"/referrals/{active.pk}/").content.decode()
    page = client.get(f"/referrals/{active.pk}/end/").content.decode()
    assert "Why is support ending?" in page
    assert "Remove from the waiting list" not in page


def test_another_patchs_worker_cannot_remove_them(
    client: Client, personas: dict[str, User], waiting: Referral
) -> None:
    client.force_login(personas["worker_south"])
    reason = EndReason.objects.get(code="moved-away")
    response = client.post(f"/referrals/{waiting.pk}/end/", {"reason": reason.pk, "note": ""})
    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WAITING


def test_the_waiting_list_shows_days_waiting(
    client: Client, personas: dict[str, User], waiting: Referral
) -> None:
    client.force_login(personas["manager"])
    html = client.get("/waiting-list/").content.decode()
    assert "Days waiting" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">10</td>' in html
    # Another patch's worker does not see the person at all.
    client.force_login(personas["worker_south"])
    assert waiting.participant.full_name not in client.get("/waiting-list/").content.decode()
