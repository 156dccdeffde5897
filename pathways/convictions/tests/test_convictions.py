"""Convictions on the person's record: recorded by hand (scoped, unrestricted, audited), spent
dates stored for the whole record (a later conviction keeps an earlier one unspent), the
person's page and the disclosure summary PDF. The clock
stands at 1 October 2026."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pathways.accounts.models import User
from pathways.convictions import services
from pathways.convictions.models import Conviction, SpentState
from pathways.convictions.services import SentenceInput
from pathways.core.errors import NotPermitted, ProcessingRestricted, RuleBroken
from pathways.core.models import AuditEvent
from pathways.data_protection import services as data_protection
from pathways.referrals.models import Referral

pytestmark = pytest.mark.django_db

D = datetime.date


def _record(actor: User, case: Referral, on: D, *sentences: SentenceInput, **kw: Any):
    return services.conviction_record(
        actor=actor,
        participant=case.participant,
        convicted_on=on,
        sentences=list(sentences) or [SentenceInput("fine")],
        **kw,
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_conviction_is_recorded_with_its_spent_date_and_audited(
    case: Referral, worker_north: User
) -> None:
    conviction = _record(worker_north, case, D(2026, 3, 1))
    assert (conviction.spent_state, conviction.spent_on) == (SpentState.DATE, D(2027, 3, 1))
    assert conviction.source == "hand" and conviction.recorded_by == worker_north
    [event] = AuditEvent.objects.filter(action="conviction.recorded")
    assert event.subject_id == case.participant_id


def test_a_later_conviction_keeps_the_earlier_unspent(case: Referral, worker_north: User) -> None:
    first = _record(worker_north, case, D(2026, 3, 1))
    _record(worker_north, case, D(2026, 6, 1))
    first.refresh_from_db()
    assert first.spent_on == D(2027, 6, 1)


def test_never_and_indefinite_are_stored_without_a_date(case: Referral, worker_north: User) -> None:
    never = _record(
        worker_north,
        case,
        D(2010, 1, 1),
        SentenceInput("custody", length=6, length_unit="years", schedule_18=True),
    )
    order = _record(
        worker_north,
        case,
        D(2025, 1, 1),
        SentenceInput("restraining_order", until_further_order=True),
    )
    assert (never.spent_state, never.spent_on) == (SpentState.NEVER, None)
    assert (order.spent_state, order.spent_on) == (SpentState.INDEFINITE, None)
    assert never.filtered_from is None  # custodial: never filtered


def test_a_conviction_under_18_is_worked_out_from_the_date_of_birth(
    case: Referral, worker_north: User
) -> None:
    born = case.participant.date_of_birth
    youth = _record(worker_north, case, born.replace(year=born.year + 17))
    adult = _record(worker_north, case, born.replace(year=born.year + 18))
    assert youth.spent_on is not None and adult.spent_on is not None
    assert (youth.spent_on - youth.convicted_on).days in range(181, 185)  # 6 months
    assert (adult.spent_on - adult.convicted_on).days in (365, 366)  # 12 months


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("referrer", NotPermitted),
        ("commissioner", NotPermitted),
        ("outsider", NotPermitted),
        ("worker_south", NotPermitted),
    ],
)
def test_recording_is_refused_outside_the_role_or_scope(
    case: Referral, personas: dict[str, User], persona: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        _record(personas[persona], case, D(2026, 3, 1))
    assert not Conviction.objects.exists()


def test_what_the_rules_cannot_place_is_refused(case: Referral, worker_north: User) -> None:
    with pytest.raises(RuleBroken, match="custody needs a length"):
        _record(worker_north, case, D(2026, 3, 1), SentenceInput("custody"))
    with pytest.raises(RuleBroken, match="future"):
        _record(worker_north, case, D(2026, 10, 2))
    assert not Conviction.objects.exists()


def test_a_restricted_persons_convictions_are_not_changed_nor_printed(
    case: Referral, manager: User, worker_north: User
) -> None:
    _record(worker_north, case, D(2026, 3, 1))
    data_protection.participant_restrict(
        actor=manager, participant=case.participant, reason="Objection"
    )
    with pytest.raises(ProcessingRestricted):
        _record(worker_north, case, D(2026, 4, 1))
    response = _client(worker_north).get(
        reverse("convictions:summary_pdf", args=[case.participant_id])
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="disclosure_summary.exported").exists()


def test_the_person_page_says_until_when_to_disclose(
    case: Referral, worker_north: User, referrer: User
) -> None:
    _record(worker_north, case, D(2026, 3, 1))
    url = reverse("participants:detail", args=[case.participant_id])
    page = _client(worker_north).get(url).content.decode()
    assert "Must disclose to employers until 1 March 2027" in page
    assert "Unspent" in page and "Entered by hand" in page
    assert "Convictions and disclosure" not in _client(referrer).get(url).content.decode()


def test_the_person_page_says_when_everything_is_spent(case: Referral, worker_north: User) -> None:
    _record(worker_north, case, D(2024, 3, 1))
    url = reverse("participants:detail", args=[case.participant_id])
    page = _client(worker_north).get(url).content.decode()
    assert "Every conviction and caution is spent" in page
    assert "Since 1 Mar 2025" in page


def test_the_form_records_a_conviction(case: Referral, worker_north: User) -> None:
    url = reverse("convictions:add", args=[case.participant_id])
    response = _client(worker_north).post(
        url,
        {
            "convicted_on-day": "1",
            "convicted_on-month": "3",
            "convicted_on-year": "2026",
            "type": "community_order",
            "length": "12",
            "length_unit": "months",
            "second_type": "fine",
            "second_length_unit": "months",
        },
    )
    assert response.status_code == 302
    conviction = Conviction.objects.get()
    assert [s.type for s in conviction.sentences.all()] == ["community_order", "fine"]
    assert conviction.spent_on == D(2027, 3, 1)


def test_the_disclosure_summary_is_a_pdf_and_audited(case: Referral, manager: User) -> None:
    _record(manager, case, D(2026, 3, 1))
    response = _client(manager).get(reverse("convictions:summary_pdf", args=[case.participant_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    [event] = AuditEvent.objects.filter(action="disclosure_summary.exported")
    assert event.subject_id == case.participant_id
