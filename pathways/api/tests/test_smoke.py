from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pathways.api.tests.conftest import bearer, referral_body, send

pytestmark = pytest.mark.django_db


def test_a_referral_is_made_read_and_listed(client: Client, ndelius: Any, token: Any) -> None:
    access = token(ndelius)
    made = send(client, access, referral_body())
    assert made.status_code == 201, made.content
    referral = made.json()
    assert referral["status"] == "received"
    got = client.get(f"/api/v1/referrals/{referral['id']}", **bearer(access))
    assert got.status_code == 200, got.content
    listed = client.get("/api/v1/referrals", **bearer(access))
    assert listed.status_code == 200, listed.content
    assert [item["id"] for item in listed.json()["items"]] == [referral["id"]]
