"""Equality monitoring answers: recorded by workers and the manager, audited, apart from
the case record, and never shown on the person's page."""

from __future__ import annotations

import pytest
from django.test import Client

from pathways.accounts.models import User
from pathways.casework import services
from pathways.core.errors import NotPermitted, RuleBroken
from pathways.core.models import AuditEvent
from pathways.participants.models import EqualityRecord, ethnic_group_of
from pathways.referrals.models import Referral

pytestmark = pytest.mark.usefixtures("reference_data")


def test_every_field_says_what_it_means() -> None:
    for field in EqualityRecord._meta.get_fields():
        if field.concrete and not field.auto_created:
            assert getattr(field, "help_text", ""), field.name


def test_the_group_follows_from_the_detailed_ethnicity() -> None:
    assert ethnic_group_of("white-gypsy-traveller") == "white"
    assert ethnic_group_of("mixed-white-asian") == "mixed"
    assert ethnic_group_of("prefer_not") == "prefer_not"
    assert ethnic_group_of("") == ""


def test_a_worker_records_answers_and_the_change_is_audited(
    case: Referral, worker_north: User
) -> None:
    record = services.equality_record_save(
        actor=worker_north, participant=case.participant, sex="female", ethnicity="prefer_not"
    )
    assert record.ethnic_group == "prefer_not"
    assert record.religion == ""  # not asked is not "prefer not to say"
    event = AuditEvent.objects.get(action="equality_record.created")
    assert event.subject_id == case.participant_id
    assert "female" not in str(event.detail) and "female" not in event.summary
    services.equality_record_save(actor=worker_north, participant=case.participant, sex="male")
    assert AuditEvent.objects.get(action="equality_record.updated").detail == {
        "fields_changed": ["ethnicity", "sex"]
    }


def test_answers_must_come_from_the_lists(case: Referral, manager: User) -> None:
    with pytest.raises(RuleBroken):
        services.equality_record_save(actor=manager, participant=case.participant, sex="x")


@pytest.mark.parametrize(
    "persona", ["referrer", "commissioner", "admin", "outsider", "worker_south"]
)
def test_other_roles_and_scopes_may_not_record(
    case: Referral, personas: dict[str, User], persona: str
) -> None:
    with pytest.raises(NotPermitted):
        services.equality_record_save(
            actor=personas[persona], participant=case.participant, sex="male"
        )


@pytest.mark.parametrize("persona", ["worker_north", "manager"])
def test_the_page_records_answers_and_the_view_is_audited(
    client: Client, case: Referral, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])
    url = f"/participants/{case.participant_id}/equality/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"sex": "prefer_not", "disability": "no", "ethnicity": ""})
    assert response.status_code == 302
    record = EqualityRecord.objects.get(participant=case.participant)
    assert (record.sex, record.disability, record.ethnicity) == ("prefer_not", "no", "")
    client.get(url)
    assert AuditEvent.objects.filter(
        action="equality_record.viewed", subject_id=case.participant_id
    ).exists()


@pytest.mark.parametrize(
    "persona", ["referrer", "commissioner", "admin", "outsider", "worker_south"]
)
def test_everyone_else_gets_not_found(
    client: Client, case: Referral, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])
    url = f"/participants/{case.participant_id}/equality/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"sex": "male"}).status_code == 404
    assert not EqualityRecord.objects.exists()


def test_the_person_page_says_only_whether_answers_are_recorded(
    client: Client, case: Referral, worker_north: User, referrer: User
) -> None:
    services.equality_record_save(
        actor=worker_north, participant=case.participant, sex="female", religion="buddhist"
    )
    client.force_login(worker_north)
    body = client.get(f"/participants/{case.participant_id}/").content.decode()
    assert "Equality monitoring: recorded" in body
    assert "Buddhist" not in body
    client.force_login(referrer)
    body = client.get(f"/participants/{case.participant_id}/").content.decode()
    # The timeline says that answers were recorded (as for any change), never what they are.
    assert "Equality monitoring: " not in body and "Buddhist" not in body
    assert f"/participants/{case.participant_id}/equality/" not in body
