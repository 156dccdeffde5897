"""The CRN, needed for a Probation referral, is asked where it is needed: revealed under
"Probation" in "Who is referring?" (GOV.UK radios, conditional reveal), without "(optional)";
without JavaScript it simply shows there."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.referrals.tests.test_views import answer_referral, form_data

pytestmark = pytest.mark.django_db


def _page(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get("/referrals/new/referral/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_crn_is_revealed_under_probation_without_optional(
    client: Client, referrer: User
) -> None:
    body = _page(client, referrer)
    assert body.count('name="crn"') == 1
    start = body.index(
        '<div class="govuk-radios__conditional app-radios__conditional" id="conditional-id_crn">'
    )
    inside = body[start : body.index('value="yos"')]
    assert 'name="crn"' in inside
    label = re.search(r'<label[^>]*for="id_crn"[^>]*>(.*?)</label>', inside, re.DOTALL)
    assert label and label.group(1).strip() == "CRN"
    assert "(optional)" not in inside
    # It comes straight after the Probation option, inside the radios.
    assert body.index('value="probation"') < body.index('id="conditional-id_crn"')
    assert body.index('id="conditional-id_crn"') < body.index('value="yos"')


def test_a_probation_referral_without_a_crn_is_refused_at_the_field(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    body = answer_referral(client, form_data(north, crn="")).content.decode()
    assert "Enter the CRN for a Probation referral" in body
    # The error shows inside the reveal, under the checked Probation option.
    reveal = body[body.index('id="conditional-id_crn"') :]
    assert reveal.index("Enter the CRN for a Probation referral") < reveal.index('name="crn"')
    assert re.search(r'<input[^>]*value="probation"[^>]*checked', body)
