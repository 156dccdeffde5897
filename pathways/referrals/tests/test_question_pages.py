"""The referral's question pages (GOV.UK's question pages before "check your answers"):
each page asks and checks its own questions, keeps its answers in the session (never a
URL), leads to the next page asked, and its back link goes to the page before."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.referrals.forms import STEPS
from pathways.referrals.models import Referral
from pathways.referrals.tests.test_views import answer_referral, form_data, send_referral
from pathways.referrals.views import DRAFT_KEY

pytestmark = pytest.mark.django_db


def _own(slug: str, data: dict[str, str]) -> dict[str, str]:
    step = next(step for step in STEPS if step.slug == slug)
    return {key: value for key, value in data.items() if step.owns(key)}


def test_the_pages_come_in_order_each_with_its_own_questions_and_back_link(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    data = form_data(north)
    url = client.get("/referrals/new/")["Location"]
    back = "/referrals/"
    visited = []
    while url != "/referrals/new/check/":
        page = client.get(url)
        html = page.content.decode()
        step = page.context["step"]
        visited.append(step.slug)
        assert f'href="{back}" class="govuk-back-link"' in html
        assert set(page.context["form"].fields) == {
            name for name in step.fields if name != "order_ended_reason"
        } | ({"order_ended_reason"} if step.slug == "referral" else set())
        for other in STEPS:
            if other is not step:
                for name in other.fields:
                    assert f'name="{name}"' not in html, (step.slug, name)
        moved = client.post(url, _own(step.slug, data))
        assert moved.status_code == 302
        assert "?" not in moved["Location"]  # nothing but the page's address
        back, url = url, moved["Location"]
    # The ROTL page is not asked of an IOM referral.
    assert visited == ["person", "contact", "referral", "needs", "consent"]
    assert client.get("/referrals/new/rotl/")["Location"] == "/referrals/new/person/"
    check = client.get("/referrals/new/check/").content.decode()
    assert 'href="/referrals/new/consent/" class="govuk-back-link"' in check


def test_a_page_checks_only_its_own_questions_and_keeps_nothing_until_they_are_right(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    client.get("/referrals/new/")
    data = form_data(north)
    # The first page says nothing of questions not yet asked.
    wrong = client.post("/referrals/new/person/", _own("person", {**data, "first_name": ""}))
    assert wrong.status_code == 200
    assert list(wrong.context["form"].errors) == ["first_name"]
    assert DRAFT_KEY not in client.session
    right = client.post("/referrals/new/person/", _own("person", data))
    assert right["Location"] == "/referrals/new/contact/"
    assert client.session[DRAFT_KEY]["first_name"] == ["Robyn"]
    # A later page's answers do not go in through an earlier page.
    client.post("/referrals/new/person/", {**_own("person", data), "phone": "07700 900999"})
    assert "phone" not in client.session[DRAFT_KEY]


def test_the_rotl_page_is_asked_of_a_rotl_referral_only(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    rotl = form_data(
        north,
        cohort="rotl",
        source="prison",
        prison_name="HMP Leeds",
        prison_number="A1234BC",
        **{
            "expected_release_date-day": "1",
            "expected_release_date-month": "6",
            "expected_release_date-year": "2099",
        },
    )
    client.get("/referrals/new/")
    for slug in ("person", "contact"):
        client.post(f"/referrals/new/{slug}/", _own(slug, rotl))
    moved = client.post("/referrals/new/referral/", _own("referral", rotl))
    assert moved["Location"] == "/referrals/new/rotl/"
    page = client.get("/referrals/new/rotl/").content.decode()
    # Each question is needed on this page, asked of ROTL referrals alone: none "optional".
    assert "(optional)" not in page
    assert "For ROTL referrals" not in page
    empty = client.post("/referrals/new/rotl/", {})
    for message in (
        "Enter the prison for a ROTL referral",
        "Enter the prison number for a ROTL referral",
        "Enter the expected release date for a ROTL referral",
    ):
        assert message in empty.content.decode()
    assert client.post("/referrals/new/rotl/", _own("rotl", rotl))["Location"] == (
        "/referrals/new/needs/"
    )
    # Changed to another group, the prison answers are not kept.
    client.post("/referrals/new/referral/?change=1", _own("referral", form_data(north)))
    assert "prison_name" not in client.session[DRAFT_KEY]


def test_a_change_goes_back_to_check_or_to_a_page_it_makes_needed(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    assert answer_referral(client, form_data(north))["Location"] == "/referrals/new/check/"
    page = client.get("/referrals/new/contact/?change=1").content.decode()
    assert 'href="/referrals/new/check/" class="govuk-back-link"' in page
    changed = client.post(
        "/referrals/new/contact/?change=1", _own("contact", form_data(north, phone="0113 496 0000"))
    )
    assert changed["Location"] == "/referrals/new/check/"
    assert "0113 496 0000" in client.get("/referrals/new/check/").content.decode()
    # Now ROTL: its page has no answers yet, so it is asked before checking again.
    rotl = client.post(
        "/referrals/new/referral/?change=1",
        _own("referral", form_data(north, cohort="rotl", source="prison")),
    )
    assert rotl["Location"] == "/referrals/new/rotl/"
    assert client.get("/referrals/new/check/")["Location"] == "/referrals/new/rotl/"


def test_no_such_question_page(client: Client, referrer: User) -> None:
    client.force_login(referrer)
    assert client.get("/referrals/new/nonsense/").status_code == 404


def test_the_known_person_question_comes_after_the_questions_and_before_check(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    send_referral(client, form_data(north, crn="X999999"))
    # The same name and date of birth: asked whether it is the same person.
    asked = answer_referral(client, form_data(north, crn="X888888"))
    html = asked.content.decode()
    assert asked.request["PATH_INFO"] == "/referrals/new/known-person/"
    assert "This may be a person the service already knows" in html
    assert 'href="/referrals/new/consent/" class="govuk-back-link"' in html
    refused = client.post("/referrals/new/known-person/", {})
    assert "Select whether this is a person already known" in refused.content.decode()
    answered = client.post("/referrals/new/known-person/", {"duplicate_choice": "new"})
    assert answered["Location"] == "/referrals/new/check/"
    check = client.get("/referrals/new/check/").content.decode()
    assert 'href="/referrals/new/known-person/" class="govuk-back-link"' in check
    assert "No, this is a different person" in check
    # A different name no longer matches: the question and its answer go.
    client.post(
        "/referrals/new/person/?change=1", _own("person", form_data(north, first_name="Rowan"))
    )
    assert "duplicate_choice" in client.session[DRAFT_KEY]
    assert client.get("/referrals/new/known-person/")["Location"] == "/referrals/new/check/"
    assert "duplicate_choice" not in client.session[DRAFT_KEY]


def test_the_people_named_on_the_known_person_question_are_audited(
    client: Client, referrer: User, north: Patch
) -> None:
    from pathways.core.models import AuditEvent

    client.force_login(referrer)
    send_referral(client, form_data(north, crn="X999999"))
    known = Referral.objects.get().participant_id
    answer_referral(client, form_data(north, crn="X888888"))
    event = AuditEvent.objects.filter(action="referral_known_person.viewed").get()
    assert event.detail["shown"] == {"participants.participant": [known]}
