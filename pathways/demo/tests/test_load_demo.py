"""The demo data: loaded once, full service with a waiting list, every state present."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.http import HttpRequest
from django.test import Client

from pathways.accounts.models import Service
from pathways.demo.accounts import DEMO_PASSWORD, USERS
from pathways.employers.models import Opportunity
from pathways.placements.models import Placement, SustainmentCheck
from pathways.placements.opportunities import OpportunityStatus, in_status
from pathways.referrals.models import Referral
from pathways.referrals.status import ReferralStatus

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_fills_the_service(client: Client) -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    counts = {status: Referral.objects.in_status(status).count() for status in ReferralStatus}
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Referral.objects.count() == sum(counts.values())
    service = Service.objects.get(slug="staffordshire")
    assert counts[ReferralStatus.ACTIVE] == service.capacity == 30
    assert counts[ReferralStatus.WAITING] > 0
    assert all(counts[status] > 0 for status in ReferralStatus), counts
    assert set(service.patches.values_list("name", flat=True)) == {"North", "South"}
    # Every opportunity status shows: one is filled by accepted and started placements.
    opportunities = Opportunity.objects.filter(employer__service=service)
    assert all(in_status(opportunities, status).exists() for status in OpportunityStatus)
    # Every placement and sustainment check carries its referral's service.
    assert Placement.objects.exists() and SustainmentCheck.objects.exists()
    assert not Placement.objects.exclude(service_id=F("referral__service_id")).exists()
    assert not SustainmentCheck.objects.exclude(service_id=F("placement__service_id")).exists()
    for username, *_ in USERS:
        # django-axes needs the request a sign-in comes with.
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), (
            username
        )
