"""Possible duplicates: a referrer joins only people they may see whose name and date of
birth are the ones typed; any other match is held for the manager, who joins or separates
with a reason; joining never writes over the known person's details unasked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Patch, User
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.models import AuditEvent
from pathways.participants.models import Participant
from pathways.referrals import services
from pathways.referrals.access import participants_for
from pathways.referrals.models import DeclineReason, HoldResolution, Referral
from pathways.referrals.people import likely_duplicates
from pathways.referrals.status import ReferralStatus
from pathways.referrals.tests.factories import details_data, make_referral, person_data
from pathways.referrals.tests.test_views import answer_referral, form_data, send_referral

pytestmark = pytest.mark.django_db

# form_data types Robyn Hale, 25 years old, CRN X123456.
TYPED_CRN = "X123456"


def _decline(referral: Referral, manager: User) -> None:
    services.referral_decline(
        actor=manager,
        referral=referral,
        reason=DeclineReason.objects.get(code="in-work-or-education"),
    )


def _hidden(other_referrer: User, manager: User) -> Participant:
    """A person another referrer referred (declined, so a new referral may join them), with
    the CRN the referrer will type, under another name and date of birth."""
    referral = make_referral(
        other_referrer,
        crn=TYPED_CRN,
        first_name="Jordan",
        last_name="Marsh",
        phone="07700 900001",
        email="jordan@example.com",
        address="1 Hidden Street",
    )
    _decline(referral, manager)
    return referral.participant


def _leaks(body: str, person: Participant) -> list[str]:
    """What of the person a page shows: their names, date of birth or id."""
    found = [
        text
        for text in (
            person.first_name,
            person.last_name,
            person.phone,
            person.address,
            person.date_of_birth.strftime("%-d %B %Y"),
        )
        if text in body
    ]
    for marker in (f'person-{person.pk}"', f'existing-{person.pk}"', f"/participants/{person.pk}/"):
        if marker in body:
            found.append(marker)
    return found


def _held(client: Client, referrer: User, north: Patch, **typed: str) -> Referral:
    client.force_login(referrer)
    response = send_referral(client, {**form_data(north, **typed), "duplicate_choice": "manager"})
    assert response.status_code == 302, response.content.decode()
    return Referral.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


# The referrer's duplicate step


def test_a_person_the_referrer_cannot_see_is_neither_offered_nor_shown(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    client.force_login(referrer)
    body = answer_referral(client, form_data(north)).content.decode()
    assert "The details match a record the service already holds" in body
    assert "the service manager will check" in body
    assert _leaks(body, hidden) == []
    assert Referral.objects.count() == 1


def test_a_forged_choice_for_a_hidden_person_joins_nothing(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    client.force_login(referrer)
    for forged in (f"existing-{hidden.pk}", f"person-{hidden.pk}", "new"):
        response = answer_referral(client, {**form_data(north), "duplicate_choice": forged})
        assert response.status_code == 200, forged
        assert _leaks(response.content.decode(), hidden) == [], forged
    assert Referral.objects.count() == 1
    assert not participants_for(referrer).filter(pk=hidden.pk).exists()
    hidden.refresh_from_db()
    assert (hidden.first_name, hidden.phone) == ("Jordan", "07700 900001")


def test_the_service_refuses_a_referrer_joining_a_person_out_of_scope(
    referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    with pytest.raises(NotPermitted):
        services.referral_create(
            actor=referrer,
            service=referrer.service,  # type: ignore[arg-type]
            person=person_data(
                north.areas.get(),
                crn=TYPED_CRN,
                first_name="Jordan",
                last_name="Marsh",
                date_of_birth=hidden.date_of_birth,
            ),
            details=details_data(),
            existing_participant=hidden,
        )
    assert Referral.objects.count() == 1


def test_sending_holds_the_referral_for_the_manager_as_a_new_person(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    held = _held(client, referrer, north)
    assert held.status == ReferralStatus.HELD
    assert held.participant_id != hidden.pk
    assert held.participant.crn is None  # the CRN is the other record's
    assert held.participant.first_name == "Robyn"
    assert held.held_matches == [
        {
            "participant": hidden.pk,
            "same_crn": True,
            "differs": ["first_name", "last_name", "date_of_birth"],
        }
    ]
    event = AuditEvent.objects.get(action="referral.held_as_duplicate")
    assert event.episode_id == held.pk
    assert set(event.detail) == {"matches", "differs"}  # no record named
    # The referrer sees their referral as held, and nothing of the other person.
    for url in (f"/referrals/{held.pk}/", f"/participants/{held.participant_id}/"):
        body = client.get(url).content.decode()
        assert "Possible duplicate" in body
        assert _leaks(body, hidden) == [], url
    assert client.get(f"/participants/{hidden.pk}/").status_code == 404
    # The manager sees it held in the list, and which fields differ on the referral.
    client.force_login(manager)
    assert "Possible duplicate" in client.get("/referrals/?status=held").content.decode()
    body = client.get(f"/referrals/{held.pk}/").content.decode()
    assert "first name, last name and date of birth typed differ" in body
    assert f"/referrals/{held.pk}/possible-duplicate/" in body


def test_a_crn_match_with_another_name_is_held_even_in_the_referrers_scope(
    client: Client, referrer: User, north: Patch
) -> None:
    today = timezone.localdate()
    mine = make_referral(
        referrer,
        crn=TYPED_CRN,
        first_name="Robin",
        last_name="Hale",
        date_of_birth=today.replace(year=today.year - 25),
    ).participant
    client.force_login(referrer)
    body = answer_referral(client, form_data(north)).content.decode()
    assert f'href="/participants/{mine.pk}/"' in body  # theirs: shown
    assert f'value="person-{mine.pk}"' not in body  # but not offered to join
    assert "the service manager will check" in body
    forged = answer_referral(client, {**form_data(north), "duplicate_choice": f"person-{mine.pk}"})
    assert forged.status_code == 200
    assert Referral.objects.filter(participant=mine).count() == 1
    held = _held(client, referrer, north)
    assert held.status == ReferralStatus.HELD
    assert held.held_matches[0]["differs"] == ["first_name"]
    with pytest.raises(RuleBroken, match="name or date of birth"):
        services.referral_create(
            actor=referrer,
            service=referrer.service,  # type: ignore[arg-type]
            person=person_data(north.areas.get(), crn=TYPED_CRN, first_name="Robyn"),
            details=details_data(),
            existing_participant=mine,
        )


def test_a_held_referral_takes_no_place_and_cannot_be_accepted(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    _hidden(other_referrer, manager)
    held = _held(client, referrer, north)
    with pytest.raises(RuleBroken, match="Join or separate"):
        services.referral_accept(actor=manager, referral=held)
    client.force_login(manager)
    response = client.post(f"/referrals/{held.pk}/accept/", {"eligibility_confirmed": "on"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.accepted_at is None and held.started_at is None
    assert list(Referral.objects.in_status(ReferralStatus.HELD)) == [held]
    assert held in Referral.objects.open()
    service = held.service
    assert Referral.objects.filter(service=service).free_places(service.capacity) == (
        service.capacity
    )
    # It may be declined unresolved (a second referral of someone already known).
    page = client.get(f"/referrals/{held.pk}/").content.decode()
    assert f"/referrals/{held.pk}/accept/" not in page
    assert f"/referrals/{held.pk}/decline/" in page
    _decline(held, manager)
    held.refresh_from_db()
    assert held.status == ReferralStatus.DECLINED


# The manager's resolution


def test_manager_joins_with_a_reason_and_nothing_is_overwritten(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    held = _held(client, referrer, north, phone="07700 900999", address="2 New Road")
    provisional = held.participant_id
    client.force_login(manager)
    page = client.get(f"/referrals/{held.pk}/possible-duplicate/").content.decode()
    assert "Jordan" in page and "Robyn" in page  # side by side
    assert "Differs" in page
    refused = client.post(
        f"/referrals/{held.pk}/possible-duplicate/",
        {"decision": f"person-{hidden.pk}", "reason": ""},
    )
    assert refused.status_code == 200
    held.refresh_from_db()
    assert held.status == ReferralStatus.HELD
    response = client.post(
        f"/referrals/{held.pk}/possible-duplicate/",
        {"decision": f"person-{hidden.pk}", "reason": "Probation confirmed the CRN."},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.participant_id == hidden.pk
    assert held.status == ReferralStatus.RECEIVED
    assert held.hold_resolution == HoldResolution.JOINED
    assert held.hold_reason == "Probation confirmed the CRN."
    assert not Participant.objects.filter(pk=provisional).exists()
    event = AuditEvent.objects.get(action="referral.duplicate_joined")
    assert (event.subject_id, event.episode_id) == (hidden.pk, held.pk)
    assert event.detail["reason"] == "Probation confirmed the CRN."
    # The known person's details stand; the typed ones are proposed.
    hidden.refresh_from_db()
    assert (hidden.first_name, hidden.phone, hidden.address) == (
        "Jordan",
        "07700 900001",
        "1 Hidden Street",
    )
    assert held.proposed_changes == {"phone": "07700 900999", "address": "2 New Road"}
    assert "decide the proposed changes" in client.get(f"/referrals/{held.pk}/").content.decode()


def test_manager_separates_and_the_new_person_stays(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    held = _held(client, referrer, north)
    client.force_login(manager)
    response = client.post(
        f"/referrals/{held.pk}/possible-duplicate/",
        {"decision": "separate", "reason": "Different person: the CRN was mistyped."},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == ReferralStatus.RECEIVED
    assert held.participant_id != hidden.pk
    assert held.participant.first_name == "Robyn"
    assert Participant.objects.count() == 2
    assert held.hold_resolution == HoldResolution.SEPARATE
    assert AuditEvent.objects.filter(
        action="referral.duplicate_separated", episode_id=held.pk
    ).exists()
    with pytest.raises(StateChanged):
        services.referral_resolve_duplicate(
            actor=manager, referral=held, join_to=hidden, reason="Changed my mind."
        )


def test_the_manager_can_join_only_a_record_the_referral_matched(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    _hidden(other_referrer, manager)
    held = _held(client, referrer, north)
    unrelated = make_referral(other_referrer).participant
    with pytest.raises(NotPermitted):
        services.referral_resolve_duplicate(
            actor=manager, referral=held, join_to=unrelated, reason="Looks alike."
        )
    client.force_login(manager)
    response = client.post(
        f"/referrals/{held.pk}/possible-duplicate/",
        {"decision": f"person-{unrelated.pk}", "reason": "Looks alike."},
    )
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == ReferralStatus.HELD


@pytest.mark.parametrize("role", ["referrer", "other_referrer", "worker_north", "outsider"])
def test_only_the_services_manager_reaches_the_resolution_page(
    request: pytest.FixtureRequest,
    client: Client,
    referrer: User,
    other_referrer: User,
    manager: User,
    north: Patch,
    role: str,
) -> None:
    hidden = _hidden(other_referrer, manager)
    held = _held(client, referrer, north)
    client.force_login(request.getfixturevalue(role))
    url = f"/referrals/{held.pk}/possible-duplicate/"
    assert client.get(url).status_code == 404
    posted = client.post(url, {"decision": f"person-{hidden.pk}", "reason": "Same person."})
    assert posted.status_code == 404
    held.refresh_from_db()
    assert held.status == ReferralStatus.HELD and held.participant_id != hidden.pk
    assert AuditEvent.objects.filter(kind="refusal").exists()


# Joining a person in scope, and the proposed changes


def test_joining_a_known_person_does_not_overwrite_their_details(
    client: Client, referrer: User, manager: User, north: Patch
) -> None:
    today = timezone.localdate()
    first = make_referral(
        referrer,
        crn=TYPED_CRN,
        first_name="Robyn",
        last_name="Hale",
        date_of_birth=today.replace(year=today.year - 25),
        phone="07700 900001",
        address="1 Old Road",
    )
    _decline(first, manager)
    person = first.participant
    client.force_login(referrer)
    response = send_referral(
        client,
        {
            **form_data(north, phone="07700 900999", address="2 New Road", email="r@example.com"),
            "duplicate_choice": f"person-{person.pk}",
        },
    )
    assert response.status_code == 302
    second = Referral.objects.exclude(pk=first.pk).get()
    assert second.participant_id == person.pk
    person.refresh_from_db()
    assert (person.phone, person.address, person.email) == ("07700 900001", "1 Old Road", "")
    assert second.proposed_changes == {
        "phone": "07700 900999",
        "email": "r@example.com",
        "address": "2 New Road",
    }
    assert not AuditEvent.objects.filter(action="participant.detail_changed").exists()


def test_accepting_proposed_changes_audits_each_field_without_its_value(
    client: Client, referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    held = _held(
        client, referrer, north, phone="07700 900999", address="2 New Road", email="r@example.com"
    )
    services.referral_resolve_duplicate(
        actor=manager, referral=held, join_to=hidden, reason="Probation confirmed the CRN."
    )
    client.force_login(referrer)
    url = f"/referrals/{held.pk}/proposed-changes/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"phone": "accept"}).status_code == 404
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "07700 900999" in page and "07700 900001" in page
    response = client.post(url, {"phone": "accept", "address": "accept", "email": "reject"})
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert (hidden.phone, hidden.address, hidden.email) == (
        "07700 900999",
        "2 New Road",
        "jordan@example.com",
    )
    changed = AuditEvent.objects.filter(action="participant.detail_changed").order_by("id")
    assert [event.detail for event in changed] == [{"field": "phone"}, {"field": "address"}]
    assert all(event.subject_id == hidden.pk for event in changed)
    rejected = AuditEvent.objects.get(action="referral.proposed_change_rejected")
    assert rejected.detail == {"field": "email"}
    for event in [*changed, rejected]:
        for value in ("07700 900999", "07700 900001", "2 New Road", "1 Hidden Street", "r@"):
            assert value not in event.summary + str(event.detail)
    held.refresh_from_db()
    assert held.proposed_changes == {}
    with pytest.raises(StateChanged):
        services.referral_decide_proposed_changes(
            actor=manager, referral=held, decisions={"phone": True}
        )


def test_a_likely_duplicate_says_which_identity_fields_differ(
    referrer: User, other_referrer: User, manager: User, north: Patch
) -> None:
    hidden = _hidden(other_referrer, manager)
    [match] = likely_duplicates(
        referrer,
        crn=TYPED_CRN,
        first_name="jordan ",
        last_name="MARSH",
        date_of_birth=hidden.date_of_birth,
    )
    assert (match.same_crn, match.visible, match.differs, match.joinable) == (
        True,
        False,
        (),
        False,
    )
