"""Check your answers: a referral is only sent from the page listing every answer, the
answers wait in the session (never a URL) and are gone once sent or cancelled."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.referrals.models import Referral
from pathways.referrals.tests.test_views import answer_referral, form_data, send_referral
from pathways.referrals.views import DRAFT_KEY

pytestmark = pytest.mark.django_db


def _answer(client: Client, north: Patch, **overrides: str) -> None:
    response = answer_referral(client, form_data(north, **overrides))
    assert response.status_code == 302
    assert response["Location"] == "/referrals/new/check/"  # nothing personal in it


def test_the_answers_are_checked_before_anything_is_sent(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    _answer(client, north, phone="07700 900123")
    assert not Referral.objects.exists()
    page = client.get("/referrals/new/check/").content.decode()
    assert "Check your answers before sending the referral" in page
    for shown in ("Robyn", "Hale", "X123456", "07700 900123", "Probation", "Community order"):
        assert shown in page, shown
    assert "Not given" in page  # a blank answer says so
    # Each answer's "Change" goes to its own question page, to the question itself.
    assert 'href="/referrals/new/person/?change=1#id_first_name"' in page
    assert 'href="/referrals/new/person/?change=1#id_date_of_birth"' in page  # the day box
    assert 'href="/referrals/new/contact/?change=1#id_phone"' in page
    assert 'href="/referrals/new/referral/?change=1#id_crn"' in page
    assert 'href="/referrals/new/consent/?change=1#id_consent_given"' in page
    assert 'Change<span class="govuk-visually-hidden"> first name</span>' in page
    assert "Send referral" in page
    assert "Prison number" not in page  # the ROTL questions only for ROTL
    response = client.post("/referrals/new/check/")
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.participant.phone == "07700 900123"


def test_change_brings_back_the_form_with_the_answers(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    _answer(client, north)
    form = client.get("/referrals/new/person/?change=1").content.decode()
    assert 'value="Robyn"' in form
    assert "There is a problem" not in form
    assert 'href="/referrals/new/check/" class="govuk-back-link"' in form
    # The changed page alone is sent again, and the user goes straight back to check.
    changed = client.post(
        "/referrals/new/person/?change=1",
        {
            k: v
            for k, v in form_data(north, first_name="Robin").items()
            if k.startswith(("first", "last", "date_of_birth", "gender"))
        },
    )
    assert changed["Location"] == "/referrals/new/check/"
    page = client.get("/referrals/new/check/").content.decode()
    assert "Robin" in page
    assert "Wants to work." in page


def test_the_answers_are_cleared_once_sent(client: Client, referrer: User, north: Patch) -> None:
    client.force_login(referrer)
    send_referral(client, form_data(north))
    assert DRAFT_KEY not in client.session
    again = client.get("/referrals/new/check/")
    assert again.status_code == 302
    assert again["Location"] == "/referrals/new/"
    client.post("/referrals/new/check/")  # a second send finds nothing to send
    assert Referral.objects.count() == 1


def test_cancel_deletes_the_answers_and_sends_nothing(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    _answer(client, north)
    response = client.post("/referrals/new/check/", {"cancel": "1"})
    assert response.status_code == 302
    assert DRAFT_KEY not in client.session
    assert not Referral.objects.exists()


def test_starting_a_new_referral_abandons_the_answers_not_sent(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    _answer(client, north)
    assert 'value="Robyn"' not in client.get("/referrals/new/", follow=True).content.decode()
    assert DRAFT_KEY not in client.session


def test_answers_no_longer_valid_go_back_to_the_form(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    _answer(client, north)
    session = client.session
    session[DRAFT_KEY] = {**session[DRAFT_KEY], "first_name": [""]}
    session.save()
    response = client.post("/referrals/new/check/")
    assert response["Location"] == "/referrals/new/person/"  # the page to answer again
    assert not Referral.objects.exists()
    assert "Enter first name" in client.get(response["Location"]).content.decode()


def test_the_answer_about_a_known_person_is_checked_too(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    send_referral(client, form_data(north))
    data = {**form_data(north, crn="X654321"), "duplicate_choice": "new"}
    assert answer_referral(client, data)["Location"] == "/referrals/new/check/"
    page = client.get("/referrals/new/check/").content.decode()
    assert "No, this is a different person" in page
