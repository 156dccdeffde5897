"""The referral pages: what a person types, the messages they get, what is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, Service, User
from pathways.participants.models import Participant
from pathways.referrals.forms import STEP_BY_SLUG
from pathways.referrals.models import DeclineReason, EndReason, Referral, ReferralAmendment
from pathways.referrals.status import ReferralStatus
from pathways.referrals.tests.factories import make_active, make_referral

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def form_data(north: Patch, **overrides: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "first_name": "Robyn",
        "last_name": "Hale",
        **_date("date_of_birth", today.replace(year=today.year - 25)),
        "gender": "woman",
        "crn": "x 123 456",
        "pnc_id": "",
        "phone": "",
        "email": "",
        "address": "",
        "area": str(north.areas.get().pk),
        "location": "community",
        "source": "probation",
        "cohort": "iom",
        "order_type": "community_order",
        "order_end_date-day": "",
        "order_end_date-month": "",
        "order_end_date-year": "",
        "prison_name": "",
        "prison_number": "",
        "expected_release_date-day": "",
        "expected_release_date-month": "",
        "expected_release_date-year": "",
        "reason": "Wants to work.",
        "ete_needs": "No qualifications.",
        "risk_information": "",
        "accessibility_needs": "",
        "interpreter_language": "",
        "consent_given": "on",
        **_date("consent_date", today),
    }
    data.update(overrides)
    return data


FLOW_ENDS = ("/referrals/new/check/", "/referrals/new/known-person/")


def answer_referral(client: Client, data: dict[str, str]) -> Any:
    """Answer the referral's question pages in turn, as a person would: each page is sent
    only its own answers (``Step.owns``). Gives the first page that does not move on (one
    with errors), the question about a person already known (answered with
    ``duplicate_choice`` if the data has one), or the redirect to check the answers."""
    response = client.get("/referrals/new/")
    assert response.status_code == 302
    url = response["Location"]
    while url not in FLOW_ENDS:
        assert url.startswith("/referrals/new/"), url
        step = STEP_BY_SLUG[url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]]
        response = client.post(url, {k: v for k, v in data.items() if step.owns(k)})
        if response.status_code != 302:
            return response
        url = response["Location"]
    if url == FLOW_ENDS[1]:
        if "duplicate_choice" not in data:
            return client.get(url)
        return client.post(url, {"duplicate_choice": data["duplicate_choice"]})
    return response


def send_referral(client: Client, data: dict[str, str]) -> Any:
    """Answer the referral's questions, then send it from the check-your-answers page."""
    answered = answer_referral(client, data)
    assert answered.status_code == 302, answered.content.decode()
    assert answered["Location"] == "/referrals/new/check/"
    return client.post("/referrals/new/check/")


def test_referrer_sends_a_referral(client: Client, referrer: User, north: Patch) -> None:
    client.force_login(referrer)
    response = send_referral(client, form_data(north))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.participant.crn == "X123456"  # normalised
    assert referral.status == ReferralStatus.RECEIVED
    page = client.get(response["Location"])
    assert "Referral sent" in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("crn", "12345", "Enter a CRN in the correct format, like X123456"),
        ("pnc_id", "01/12A3", "Enter a PNC ID in the correct format, like 2001/0123456Z"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("first_name", "", "Enter first name"),
        ("date_of_birth-month", "13", "Date of birth must be a real date"),
        ("date_of_birth-year", "", "Date of birth must include a year"),
        ("consent_given", "", "Confirm the person has agreed to be referred"),
        ("area", "", "Select the area where the person lives"),
        ("gender", "", "Select the person&#x27;s gender"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client: Client, referrer: User, north: Patch, field: str, value: str, message: str
) -> None:
    client.force_login(referrer)
    data = form_data(north, **{field: value})
    if not value:
        data.pop(field)
    response = answer_referral(client, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert "<title>Error: " in body
    assert not Referral.objects.exists()
    assert not Participant.objects.exists()


def test_under_16_is_refused_by_the_form(client: Client, referrer: User, north: Patch) -> None:
    client.force_login(referrer)
    today = timezone.localdate()
    response = answer_referral(
        client,
        form_data(north, **_date("date_of_birth", today.replace(year=today.year - 15))),
    )
    assert "must be aged 16 or over" in response.content.decode()
    assert not Referral.objects.exists()


def test_rotl_referral_asks_for_prison_details(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    response = answer_referral(
        client, form_data(north, cohort="rotl", source="prison", prison_number="1234")
    )
    body = response.content.decode()
    assert "Enter the prison for a ROTL referral" in body
    assert "Enter a prison number in the correct format, like A1234BC" in body
    assert "Enter the expected release date for a ROTL referral" in body


def test_probation_referral_needs_a_crn(client: Client, referrer: User, north: Patch) -> None:
    client.force_login(referrer)
    response = answer_referral(client, form_data(north, crn=""))
    assert "Enter the CRN for a Probation referral" in response.content.decode()


def test_same_crn_is_shown_and_joined_to_the_known_person(
    client: Client, referrer: User, manager: User, north: Patch
) -> None:
    today = timezone.localdate()
    known = make_active(
        referrer,
        manager,
        crn="X123456",
        first_name="Robyn",
        last_name="Hale",
        date_of_birth=today.replace(year=today.year - 25),
    )
    from pathways.referrals import services

    services.referral_end(
        actor=manager,
        referral=known,
        reason=EndReason.objects.get(code="moved-away"),
        closing_summary="Moved away.",
    )
    client.force_login(referrer)
    first = answer_referral(client, form_data(north))
    body = first.content.decode()
    assert "This may be a person the service already knows" in body
    assert f'href="/participants/{known.participant_id}/"' in body
    assert "No, this is a different person" not in body  # a CRN is one person
    assert Referral.objects.count() == 1
    second = send_referral(
        client, {**form_data(north), "duplicate_choice": f"person-{known.participant_id}"}
    )
    assert second.status_code == 302
    assert Participant.objects.count() == 1
    assert Referral.objects.filter(participant=known.participant).count() == 2


def test_same_name_and_birth_date_can_be_a_different_person(
    client: Client, referrer: User, north: Patch
) -> None:
    today = timezone.localdate()
    mine = make_referral(
        referrer,
        crn="X999999",
        first_name="robyn",
        last_name="HALE",
        date_of_birth=today.replace(year=today.year - 25),
    )
    client.force_login(referrer)
    first = answer_referral(client, form_data(north))
    body = first.content.decode()
    assert f'href="/participants/{mine.participant_id}/"' in body  # in this referrer's scope
    assert "No, this is a different person" in body
    second = send_referral(client, {**form_data(north), "duplicate_choice": "new"})
    assert second.status_code == 302
    assert Participant.objects.count() == 2


def test_accept_page_offers_override_only_when_full(
    client: Client, service: Service, referrer: User, manager: User, north: Patch
) -> None:
    client.force_login(manager)
    referral = make_referral(referrer)
    assert "override_reason" not in client.get(f"/referrals/{referral.pk}/accept/").content.decode()
    service.capacity = 0
    service.save()
    page = client.get(f"/referrals/{referral.pk}/accept/").content.decode()
    assert "override_reason" in page
    response = client.post(f"/referrals/{referral.pk}/accept/", {"override_reason": ""})
    assert "Confirm you have checked the person is eligible" in response.content.decode()
    client.post(f"/referrals/{referral.pk}/accept/", {"eligibility_confirmed": "on"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Number 1 in the queue for a place" in detail


def test_decline_with_other_needs_more_detail(
    client: Client, referrer: User, manager: User, north: Patch
) -> None:
    client.force_login(manager)
    referral = make_referral(referrer)
    other = DeclineReason.objects.get(code="decline-other")
    response = client.post(f"/referrals/{referral.pk}/decline/", {"reason": other.pk, "note": ""})
    assert "Enter more detail for this reason" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    client.post(f"/referrals/{referral.pk}/decline/", {"reason": other.pk, "note": "Moved area"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


def test_allocate_and_end_through_the_pages(
    client: Client, referrer: User, manager: User, worker_north: User
) -> None:
    client.force_login(manager)
    referral = make_active(referrer, manager)
    page = client.get(f"/referrals/{referral.pk}/allocate/").content.decode()
    assert str(worker_north) in page
    client.post(f"/referrals/{referral.pk}/allocate/", {"worker": worker_north.pk})
    referral.refresh_from_db()
    assert referral.worker == worker_north
    client.force_login(worker_north)
    assert referral.participant.full_name in client.get("/caseload/").content.decode()
    reason = EndReason.objects.get(code="sustained-work")
    client.post(
        f"/referrals/{referral.pk}/end/",
        {"reason": reason.pk, "note": "", "closing_summary": "Into work."},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ENDED


def test_a_decision_already_made_sends_the_user_back(
    client: Client, referrer: User, manager: User, north: Patch
) -> None:
    client.force_login(manager)
    referral = make_active(referrer, manager)
    response = client.post(f"/referrals/{referral.pk}/accept/", {"eligibility_confirmed": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"


def test_amend_through_the_page_keeps_a_change_log(
    client: Client, referrer: User, north: Patch
) -> None:
    client.force_login(referrer)
    send_referral(client, form_data(north))
    referral = Referral.objects.get()
    page = client.get(f"/referrals/{referral.pk}/amend/").content.decode()
    assert 'value="Robyn"' in page
    response = client.post(
        f"/referrals/{referral.pk}/amend/",
        form_data(north, phone="07700 900999", amend_reason="New phone number"),
    )
    assert response.status_code == 302
    amendment = ReferralAmendment.objects.get()
    assert amendment.changes == {"Phone": ["", "07700 900999"]}
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "New phone number" in detail
    assert "07700 900999" in detail


def test_amend_without_a_reason_is_refused(client: Client, referrer: User, north: Patch) -> None:
    client.force_login(referrer)
    send_referral(client, form_data(north))
    referral = Referral.objects.get()
    response = client.post(f"/referrals/{referral.pk}/amend/", form_data(north, phone="1"))
    assert "Enter why you are amending the referral" in response.content.decode()
    assert not ReferralAmendment.objects.exists()


@pytest.mark.parametrize("path", ["/referrals/", "/waiting-list/", "/caseload/"])
def test_list_pages_use_a_fixed_number_of_queries(
    client: Client,
    django_assert_max_num_queries: Any,
    service: Service,
    referrer: User,
    manager: User,
    worker_north: User,
    path: str,
) -> None:
    service.capacity = 30
    service.save()
    from pathways.referrals import services

    for _ in range(30):
        referral = make_active(referrer, manager)
        services.referral_allocate(actor=manager, referral=referral, worker=worker_north)
    for _ in range(10):
        services.referral_accept(actor=manager, referral=make_referral(referrer))
    user = worker_north if path != "/referrals/" else manager
    client.force_login(user)
    # The page's reads, and one audited view of the rows shown (on PostgreSQL the audit
    # chain's lock is one more statement): a fixed number, whatever the list's length.
    with django_assert_max_num_queries(9):
        response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode().count("govuk-table__row") > 10


def test_manager_filters_the_list_by_patch_and_status(
    client: Client, referrer: User, manager: User, north: Patch, south: Patch
) -> None:
    in_north = make_referral(referrer, area=north.areas.get(), first_name="Northerner")
    in_south = make_referral(referrer, area=south.areas.get(), first_name="Southerner")
    client.force_login(manager)
    body = client.get(f"/referrals/?patch={south.pk}").content.decode()
    assert in_south.participant.first_name in body
    assert in_north.participant.first_name not in body
    body = client.get(f"/referrals/?patch={south.pk}&status=active").content.decode()
    assert "No referrals match the filter." in body
    body = client.get("/referrals/?patch=not-a-number&status=nonsense").content.decode()
    assert in_north.participant.first_name in body and in_south.participant.first_name in body


def test_waiting_list_positions_are_service_wide(
    client: Client,
    service: Service,
    referrer: User,
    manager: User,
    worker_north: User,
    north: Patch,
    south: Patch,
) -> None:
    from pathways.referrals import services

    service.capacity = 0
    service.save()
    waiting = [
        services.referral_accept(actor=manager, referral=make_referral(referrer, area=area))
        for area in (north.areas.get(), south.areas.get(), north.areas.get())
    ]
    client.force_login(worker_north)
    page = client.get("/waiting-list/")
    rows = [(r.position, r.pk) for r in page.context["page"].object_list]
    assert rows == [(1, waiting[0].pk), (3, waiting[2].pk)]
    client.force_login(manager)
    detail = client.get(f"/referrals/{waiting[1].pk}/").content.decode()
    assert "Number 2 in the queue for a place" in detail
