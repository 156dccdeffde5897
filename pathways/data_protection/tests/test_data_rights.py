"""Subject access (everything held, found by walking the model graph, HTML and JSON,
audited, managers only) and restriction of processing (a single guard refuses every change
and export of the person's records while it is set; audited)."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from pypdf import PdfReader

from pathways.accounts.models import User
from pathways.contacts import services as contacts
from pathways.contacts.models import Mode, OnwardService
from pathways.contacts.services import When
from pathways.core.errors import ProcessingRestricted
from pathways.core.models import AuditEvent, AuditKind
from pathways.data_protection import services
from pathways.participants.models import Participant
from pathways.placements import services as placements
from pathways.placements.models import Placement
from pathways.plans import services as plans
from pathways.plans.models import GoalArea
from pathways.referrals import services as referrals
from pathways.referrals.models import EndReason, Referral

pytestmark = pytest.mark.django_db


def _linked_to_a_person() -> set[str]:
    """Every model reachable from Participant and Referral by reverse relations, walked
    here independently of the export's own walk."""
    found: set[str] = set()
    queue: list[type[models.Model]] = [
        apps.get_model("participants", "participant"),
        apps.get_model("referrals", "referral"),
    ]
    while queue:
        model = queue.pop()
        label = model._meta.label_lower
        if label in found:
            continue
        found.add(label)
        for relation in model._meta.related_objects:
            related = relation.related_model
            if isinstance(related, type) and related.__module__.startswith("pathways."):
                queue.append(related)
    return found


def test_every_model_linked_to_a_person_is_in_the_export(
    client: Client, records: dict[str, int], manager: User
) -> None:
    client.force_login(manager)
    response = client.get(f"/participants/{records['person']}/subject-access.json")
    assert response.status_code == 200
    exported = json.loads(response.content)["records"]
    missing = sorted(_linked_to_a_person() - set(exported))
    assert not missing, f"Models linked to a person but missing from the export: {missing}"
    assert "core.auditevent" in exported


def test_the_export_holds_the_records_themselves(
    client: Client, records: dict[str, int], manager: User
) -> None:
    client.force_login(manager)
    exported = json.loads(
        client.get(f"/participants/{records['person']}/subject-access.json").content
    )["records"]
    person = Participant.objects.get(pk=records["person"])
    assert exported["participants.participant"][0]["last_name"] == person.last_name
    assert [row["title"] for row in exported["plans.goal"]] == ["Get my CSCS card"]
    assert {row["id"] for row in exported["contacts.contact"]} == {
        records["awaiting"],
        records["booked"],
    }
    assert exported["placements.placement"][0]["id"] == records["placement"]
    assert len(exported["placements.sustainmentcheck"]) == 3
    assert exported["participants.workprofile"][0]["sectors"] == ["Construction"]


def test_the_readable_export_and_its_audit(
    client: Client, records: dict[str, int], manager: User
) -> None:
    client.force_login(manager)
    response = client.get(f"/participants/{records['person']}/subject-access/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Everything held about this person" in html
    assert "Get my CSCS card" in html and "Hanley job centre" in html
    exports = AuditEvent.objects.filter(kind=AuditKind.EXPORT, actor=manager)
    assert [e.action for e in exports] == ["subject_access.exported"]
    assert exports[0].subject_id == records["person"]


def test_the_pdf_export_holds_the_same_records(
    client: Client, records: dict[str, int], manager: User
) -> None:
    client.force_login(manager)
    response = client.get(f"/participants/{records['person']}/subject-access.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-{records["person"]}.pdf"'
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    person = Participant.objects.get(pk=records["person"])
    assert person.last_name in text
    assert "Get my CSCS card" in text and "Hanley job centre" in text
    assert "Placements (1)" in text
    exports = AuditEvent.objects.filter(kind=AuditKind.EXPORT, actor=manager)
    assert [e.action for e in exports] == ["subject_access.exported"]


def _try_everything(
    case: Referral, records: dict[str, int], personas: dict[str, User]
) -> dict[str, str]:
    """Every kind of change to the person, each in its own attempt: what each one said."""
    worker, manager = personas["worker_north"], personas["manager"]
    placement = Placement.objects.get(pk=records["placement"])
    person = case.participant
    today = datetime.date.today()
    attempts: dict[str, Any] = {
        "referral_amend": lambda: referrals.referral_amend(
            actor=manager, referral=case, person={}, details={}, reason="y"
        ),
        "referral_end": lambda: referrals.referral_end(
            actor=manager,
            referral=case,
            reason=EndReason.objects.get(code="sustained-work"),
            closing_summary="Done.",
        ),
        "goal_add": lambda: plans.goal_add(
            actor=worker,
            referral=case,
            title="t",
            area=GoalArea.QUALIFICATIONS,
            target_date=today + datetime.timedelta(days=30),
        ),
        "contact_book": lambda: contacts.contact_book(
            actor=worker,
            referral=case,
            when=When(
                starts_at=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=2),
                mode=Mode.PHONE,
                duration_minutes=30,
            ),
        ),
        "onward_referral_make": lambda: contacts.onward_referral_make(
            actor=worker,
            referral=case,
            kind=OnwardService.DEBT,
            organisation="Citizens Advice",
            referred_on=today,
        ),
        "placement_complete": lambda: placements.placement_complete(
            actor=worker, placement=placement, on=today
        ),
        "work_profile_save": lambda: placements.work_profile_save(
            actor=worker,
            participant=person,
            offence_categories=[],
            restrictions=[],
            restriction_notes="",
            sectors=[],
            holds=[],
            other_qualifications="",
            travel_patches=[],
        ),
    }
    said = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except ProcessingRestricted as error:
            said[name] = error.message
        except Exception as error:  # noqa: BLE001 - record what else refused it
            said[name] = f"{type(error).__name__}: {error}"
    return said


def test_restriction_refuses_every_change_and_export(
    client: Client,
    records: dict[str, int],
    case: Referral,
    personas: dict[str, User],
) -> None:
    manager = personas["manager"]
    person = case.participant
    services.participant_restrict(
        actor=manager, participant=person, reason="Says the address is wrong."
    )
    changes = AuditEvent.objects.filter(kind=AuditKind.CHANGE).count()
    said = _try_everything(case, records, personas)
    assert set(said.values()) == {ProcessingRestricted().message}, said
    assert len(said) == 7
    assert AuditEvent.objects.filter(kind=AuditKind.CHANGE).count() == changes
    # Exports are refused too, with the reason on the record page.
    client.force_login(manager)
    for path in ("subject-access/", "subject-access.pdf", "subject-access.json", "audit-trail.csv"):
        response = client.get(f"/participants/{person.pk}/{path}", follow=True)
        assert response.redirect_chain[-1][0] == f"/participants/{person.pk}/", path
        assert "Processing of this person&#x27;s records is restricted" in (
            response.content.decode()
        )
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()
    # And a form says so.
    response = client.post(
        f"/referrals/{case.pk}/plan/goals/new/",
        {
            "title": "x",
            "area": GoalArea.QUALIFICATIONS.value,
            "target_date-day": "1",
            "target_date-month": "1",
            "target_date-year": "2027",
        },
        follow=True,
    )
    assert "restricted" in response.content.decode()


def test_restricting_and_lifting_are_audited_and_need_a_reason(
    client: Client, case: Referral, manager: User
) -> None:
    person = case.participant
    client.force_login(manager)
    url = f"/participants/{person.pk}/restrict/"
    assert "Enter why" in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "Accuracy contested."})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.processing_restricted_at is not None
    assert person.processing_restricted_by == manager
    page = client.get(f"/participants/{person.pk}/").content.decode()
    assert "Processing of this person's records is restricted (since" in page
    assert "Lift the restriction of processing" in page
    assert client.post(url, {"reason": "Checked: it was right."}).status_code == 302
    person.refresh_from_db()
    assert person.processing_restricted_at is None
    actions = list(
        AuditEvent.objects.filter(subject_id=person.pk, action__startswith="participant.proc")
        .order_by("id")
        .values_list("action", "detail")
    )
    assert actions == [
        ("participant.processing_restricted", {}),
        ("participant.processing_unrestricted", {"reason": "Checked: it was right."}),
    ]
