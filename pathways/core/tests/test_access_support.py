"""Every support page (plans, progress, contacts, onward referrals, to-do) for every role.

In scope and with the right action a page answers; otherwise it is 404, the refusal is
audited, and a forged post changes nothing. Once support has ended nothing more can be
recorded. The referrer reads the plan and progress of their own referrals, and the
concerns flagged for them, but never the contacts.

The clock is fixed: support starts on 2 March 2026 and "now" is 20 March 2026, noon.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from pathways.accounts.models import Patch, User
from pathways.contacts import services as contacts
from pathways.contacts.models import Attendance, Contact, Mode, OnwardReferral, OnwardService
from pathways.contacts.services import Outcome, When
from pathways.core.models import AuditEvent, AuditKind
from pathways.plans import services as plans
from pathways.plans.models import (
    Goal,
    GoalArea,
    PathwayPlan,
    PlanReview,
    Reading,
    ReadingKind,
    ReadingScore,
    Step,
)
from pathways.plans.selectors import default_instrument
from pathways.referrals import services as referrals
from pathways.referrals.models import EndReason, Referral
from pathways.referrals.tests.factories import make_active

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
STARTED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()

FLAGGED_NOTE = "Missed the last session and spoke of rent arrears."
PRIVATE_NOTE = "Practised interview answers for the warehouse job."


@dataclass
class Case:
    referral: Referral  # by referrer, North, allocated to worker_north
    goal: Goal
    step: Step
    reading: Reading
    flagged: Contact  # took place; notes shared with the referrer
    private: Contact  # took place; notes not shared
    awaiting: Contact  # booked for a time now past: awaiting feedback
    booked: Contact  # booked for a time still to come
    onward: OnwardReferral  # waiting to hear

    @property
    def participant_id(self) -> int:
        return self.referral.participant_id


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(STARTED, tick=False) as traveller:
        yield traveller


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def _contact(case_referral: Referral, worker: User, day: int, notes: str, flag: bool) -> Contact:
    return contacts.contact_record(
        actor=worker,
        referral=case_referral,
        when=When(
            starts_at=_at(datetime.date(2026, 3, day), 11), mode=Mode.PHONE, duration_minutes=30
        ),
        outcome=Outcome(happened=True, attended=Attendance.YES, notes=notes, tell_referrer=flag),
    )


@pytest.fixture
def case(
    clock: time_machine.Traveller, personas: dict[str, User], north: Patch, south: Patch
) -> Case:
    manager, worker = personas["manager"], personas["worker_north"]
    referral = make_active(personas["referrer"], manager, area=north.areas.get())
    referrals.referral_allocate(actor=manager, referral=referral, worker=worker)

    clock.move_to(_at(datetime.date(2026, 3, 3), 10))
    awaiting = contacts.contact_book(
        actor=worker,
        referral=referral,
        when=When(
            starts_at=_at(datetime.date(2026, 3, 5), 10), mode=Mode.PHONE, duration_minutes=30
        ),
    )

    clock.move_to(NOW)
    instrument = default_instrument()
    assert instrument is not None
    reading = plans.reading_record(
        actor=worker,
        referral=referral,
        instrument=instrument,
        kind=ReadingKind.INTAKE,
        taken_on=datetime.date(2026, 3, 3),
        scores={area.pk: 3 for area in instrument.areas.all()},
    )
    goal = plans.goal_add(
        actor=worker,
        referral=referral,
        title="Get my CSCS card",
        area=GoalArea.QUALIFICATIONS,
        target_date=datetime.date(2026, 6, 1),
    )
    step = plans.step_add(actor=worker, goal=goal, description="Book the health and safety course")
    flagged = _contact(referral, worker, 10, FLAGGED_NOTE, True)
    private = _contact(referral, worker, 17, PRIVATE_NOTE, False)
    booked = contacts.contact_book(
        actor=worker,
        referral=referral,
        when=When(
            starts_at=_at(datetime.date(2026, 3, 25), 10),
            mode=Mode.FACE_TO_FACE,
            duration_minutes=60,
            location="Hanley job centre",
        ),
    )
    onward = contacts.onward_referral_make(
        actor=worker,
        referral=referral,
        kind=OnwardService.HOUSING,
        organisation="Stoke Housing Solutions",
        referred_on=datetime.date(2026, 3, 10),
    )
    referral.refresh_from_db()
    return Case(referral, goal, step, reading, flagged, private, awaiting, booked, onward)


def _date(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


@dataclass(frozen=True)
class Page:
    url: str
    back: str  # where a write page returns to
    post: dict[str, Any] | None  # valid data for a write page; None for a page only read


def _pages(case: Case) -> dict[str, Page]:
    pk = case.referral.pk
    plan, progress, contact_list = (
        f"/referrals/{pk}/plan/",
        f"/referrals/{pk}/progress/",
        f"/referrals/{pk}/contacts/",
    )
    instrument = default_instrument()
    assert instrument is not None
    scores = {f"score_{area.pk}": "6" for area in instrument.areas.all()}
    return {
        "plan": Page(plan, plan, None),
        "goal_add": Page(
            f"/referrals/{pk}/plan/goals/new/",
            plan,
            {
                "title": "Two weeks' work experience",
                "area": GoalArea.WORK_EXPERIENCE.value,
                **_date("target_date", datetime.date(2026, 7, 1)),
            },
        ),
        "goal_close": Page(
            f"/referrals/{pk}/plan/goals/{case.goal.pk}/close/",
            plan,
            {"outcome": "achieved", **_date("on", TODAY), "reason": ""},
        ),
        "step_add": Page(
            f"/referrals/{pk}/plan/goals/{case.goal.pk}/steps/new/",
            plan,
            {"description": "Pass the CITB test"},
        ),
        "step_update": Page(
            f"/referrals/{pk}/plan/steps/{case.step.pk}/",
            plan,
            {"status": "in_progress", **_date("on", TODAY), "reason": ""},
        ),
        "review_add": Page(
            f"/referrals/{pk}/plan/review/",
            plan,
            {
                **_date("reviewed_on", TODAY),
                "reason": "initial",
                "what_changed": "Goals agreed with the person.",
                **_date("next_review_due", datetime.date(2026, 4, 17)),
            },
        ),
        "progress": Page(progress, progress, None),
        "reading_add": Page(
            f"/referrals/{pk}/progress/new/",
            progress,
            {"kind": "review", **_date("taken_on", TODAY), **scores, "note": ""},
        ),
        "contacts": Page(contact_list, contact_list, None),
        "contact_book": Page(
            f"/referrals/{pk}/contacts/book/",
            contact_list,
            {
                **_date("day", datetime.date(2026, 3, 27)),
                "time": "10:30",
                "mode": Mode.PHONE.value,
                "duration_minutes": "30",
                "location": "",
            },
        ),
        "contact_record": Page(
            f"/referrals/{pk}/contacts/record/",
            contact_list,
            {
                **_date("day", datetime.date(2026, 3, 19)),
                "time": "10:30",
                "mode": Mode.FACE_TO_FACE.value,
                "duration_minutes": "45",
                "location": "",
                "happened": "yes",
                "attended": Attendance.YES.value,
                "notes": "Worked on the CV.",
            },
        ),
        "contact_feedback": Page(
            f"/referrals/{pk}/contacts/{case.awaiting.pk}/feedback/",
            contact_list,
            {"happened": "yes", "attended": Attendance.LATE.value, "notes": "Late but keen."},
        ),
        "contact_reschedule": Page(
            f"/referrals/{pk}/contacts/{case.booked.pk}/reschedule/",
            contact_list,
            {**_date("day", datetime.date(2026, 3, 26)), "time": "14:00", "reason": "A course."},
        ),
        "onward_add": Page(
            f"/referrals/{pk}/onward/new/",
            contact_list,
            {
                "kind": OnwardService.DEBT.value,
                "organisation": "Citizens Advice Staffordshire",
                **_date("referred_on", TODAY),
                "note": "",
            },
        ),
        "onward_outcome": Page(
            f"/referrals/{pk}/onward/{case.onward.pk}/outcome/",
            contact_list,
            {"outcome": "supported", **_date("on", TODAY), "note": ""},
        ),
    }


READ_PAGES = {"plan", "progress", "contacts"}
WRITE_PAGES = [
    "goal_add",
    "goal_close",
    "step_add",
    "step_update",
    "review_add",
    "reading_add",
    "contact_book",
    "contact_record",
    "contact_feedback",
    "contact_reschedule",
    "onward_add",
    "onward_outcome",
]
ALL_PAGES = {*READ_PAGES, *WRITE_PAGES}

# Which pages of the North case each role reaches. Anything not listed is 404.
REACHES: dict[str, set[str]] = {
    "referrer": {"plan", "progress"},
    "other_referrer": set(),
    "worker_north": ALL_PAGES,
    "worker_south": set(),
    "manager": ALL_PAGES,
    "commissioner": set(),
    "admin": set(),
    "outsider": set(),
}
CANNOT_ACT = sorted(role for role, pages in REACHES.items() if "goal_add" not in pages)
CAN_ACT = sorted(role for role, pages in REACHES.items() if "goal_add" in pages)

# Pages about no one person. The outsider manages another service: their own figures and
# to-do list answer, about their own service.
SERVICE_PAGES: dict[str, set[str]] = {
    "/service/distance-travelled/": {"manager", "commissioner", "outsider"},
    "/to-do/": {"worker_north", "worker_south", "manager", "outsider"},
}


def _snapshot() -> dict[str, int]:
    """Everything a support page could create or change, counted."""
    return {
        "plans": PathwayPlan.objects.count(),
        "goals": Goal.objects.count(),
        "goals closed": Goal.objects.filter(achieved_on__isnull=False).count()
        + Goal.objects.filter(withdrawn_on__isnull=False).count(),
        "steps": Step.objects.count(),
        "steps started": Step.objects.filter(started_on__isnull=False).count(),
        "reviews": PlanReview.objects.count(),
        "readings": Reading.objects.count(),
        "scores": ReadingScore.objects.count(),
        "contacts": Contact.objects.count(),
        "outcomes": Contact.objects.filter(outcome_recorded_at__isnull=False).count(),
        "rescheduled": Contact.objects.filter(superseded_by__isnull=False).count(),
        "onward": OnwardReferral.objects.count(),
        "onward outcomes": OnwardReferral.objects.exclude(outcome="").count(),
        "changes audited": AuditEvent.objects.filter(kind=AuditKind.CHANGE).count(),
    }


@pytest.mark.parametrize("role", sorted(REACHES))
def test_support_pages_by_role(
    client: Client, personas: dict[str, User], case: Case, role: str
) -> None:
    client.force_login(personas[role])
    wrong = []
    for name, page in _pages(case).items():
        expected = 200 if name in REACHES[role] else 404
        status = client.get(page.url).status_code
        if status != expected:
            wrong.append(f"GET {name}: {status}, expected {expected}")
    assert not wrong, f"{role}: " + "; ".join(wrong)


@pytest.mark.parametrize("role", sorted(REACHES))
@pytest.mark.parametrize("path", sorted(SERVICE_PAGES))
def test_service_support_pages_by_role(
    client: Client, personas: dict[str, User], case: Case, role: str, path: str
) -> None:
    client.force_login(personas[role])
    expected = 200 if role in SERVICE_PAGES[path] else 404
    assert client.get(path).status_code == expected, f"{role} GET {path}"


@pytest.mark.parametrize("role", CAN_ACT)
@pytest.mark.parametrize("name", WRITE_PAGES)
def test_posts_by_a_role_that_can_act_are_recorded(
    client: Client, personas: dict[str, User], case: Case, role: str, name: str
) -> None:
    """The same data the forged posts below use is valid: here it changes something."""
    page = _pages(case)[name]
    assert page.post is not None
    before = _snapshot()
    client.force_login(personas[role])
    response = client.post(page.url, page.post)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == page.back
    assert _snapshot() != before
    assert _snapshot()["changes audited"] > before["changes audited"]


@pytest.mark.parametrize("role", CANNOT_ACT)
def test_forged_posts_change_nothing_and_are_refused(
    client: Client, personas: dict[str, User], case: Case, role: str
) -> None:
    pages = _pages(case)
    before = _snapshot()
    refusals = AuditEvent.objects.filter(kind=AuditKind.REFUSAL).count()
    client.force_login(personas[role])
    for name in WRITE_PAGES:
        page = pages[name]
        assert page.post is not None
        assert client.post(page.url, page.post).status_code == 404, f"{role} POST {name}"
    assert _snapshot() == before
    after = AuditEvent.objects.filter(kind=AuditKind.REFUSAL, actor=personas[role]).count()
    assert after - refusals == len(WRITE_PAGES)


def test_anonymous_users_are_sent_to_sign_in(client: Client, case: Case) -> None:
    for name, page in _pages(case).items():
        response = client.get(page.url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name
    for path in SERVICE_PAGES:
        assert client.get(path)["Location"].startswith("/accounts/login/")


def test_a_referral_in_scope_but_not_started_has_no_support_pages(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    from pathways.referrals.tests.factories import make_referral

    waiting = make_referral(personas["referrer"])
    client.force_login(personas["manager"])
    assert client.get(f"/referrals/{waiting.pk}/").status_code == 200
    for path in ("plan/", "progress/", "contacts/", "plan/goals/new/", "contacts/record/"):
        assert client.get(f"/referrals/{waiting.pk}/{path}").status_code == 404, path


def test_other_records_cannot_be_reached_through_a_referral_in_scope(
    client: Client, personas: dict[str, User], case: Case, north: Patch
) -> None:
    """A goal, step, contact or onward referral of another referral is 404 under this one."""
    manager = personas["manager"]
    other = make_active(personas["other_referrer"], manager, area=north.areas.get())
    client.force_login(personas["manager"])
    pk = other.pk
    for path in (
        f"plan/goals/{case.goal.pk}/close/",
        f"plan/goals/{case.goal.pk}/steps/new/",
        f"plan/steps/{case.step.pk}/",
        f"contacts/{case.awaiting.pk}/feedback/",
        f"contacts/{case.booked.pk}/reschedule/",
        f"onward/{case.onward.pk}/outcome/",
    ):
        assert client.get(f"/referrals/{pk}/{path}").status_code == 404, path
    before = _snapshot()
    client.post(
        f"/referrals/{pk}/contacts/{case.awaiting.pk}/feedback/",
        _pages(case)["contact_feedback"].post,
    )
    assert _snapshot() == before


def test_a_view_of_the_plan_is_audited(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    worker = personas["worker_north"]
    client.force_login(worker)
    assert client.get(f"/referrals/{case.referral.pk}/plan/").status_code == 200
    view = AuditEvent.objects.get(kind=AuditKind.VIEW, actor=worker)
    assert view.subject_id == case.participant_id
    assert view.object_type == "referrals.referral"
    assert view.object_id == str(case.referral.pk)


@pytest.mark.parametrize(
    ("role", "page", "object_type"),
    [
        ("referrer", "contacts", "page:contacts:list"),
        ("referrer", "goal_add", "page:plans:goal_add"),
        ("commissioner", "plan", "page:plans:plan"),
        ("admin", "progress", "page:plans:progress"),
        ("worker_south", "plan", "referrals.referral"),
        ("other_referrer", "progress", "referrals.referral"),
        ("outsider", "contacts", "referrals.referral"),
    ],
)
def test_refusals_are_audited(
    client: Client, personas: dict[str, User], case: Case, role: str, page: str, object_type: str
) -> None:
    client.force_login(personas[role])
    assert client.get(_pages(case)[page].url).status_code == 404
    refusal = AuditEvent.objects.get(kind=AuditKind.REFUSAL)
    assert refusal.actor == personas[role]
    assert refusal.object_type == object_type
    assert refusal.object_id == str(case.referral.pk)
    assert not AuditEvent.objects.filter(kind=AuditKind.VIEW, actor=personas[role]).exists()


def test_refused_service_pages_are_audited(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    client.force_login(personas["referrer"])
    assert client.get("/to-do/").status_code == 404
    assert client.get("/service/distance-travelled/").status_code == 404
    refused = AuditEvent.objects.filter(kind=AuditKind.REFUSAL, actor=personas["referrer"])
    assert {event.object_type for event in refused} == {"page:contacts:todo", "page:plans:figures"}


@pytest.mark.parametrize("role", CAN_ACT)
def test_nothing_is_recorded_once_support_has_ended(
    client: Client, personas: dict[str, User], case: Case, role: str
) -> None:
    referrals.referral_end(
        actor=personas["manager"],
        referral=case.referral,
        reason=EndReason.objects.get(code="sustained-work"),
        closing_summary="Started work with a local builder.",
    )
    pages = _pages(case)
    before = _snapshot()
    client.force_login(personas[role])
    for name in WRITE_PAGES:
        page = pages[name]
        assert page.post is not None
        for response in (client.get(page.url), client.post(page.url, page.post)):
            assert response.status_code == 302, name
            assert response["Location"] == page.back, name
        followed = client.post(page.url, page.post, follow=True)
        assert followed.status_code == 200
        assert "Support has ended, so this can no longer be recorded." in followed.content.decode()
    assert _snapshot() == before
    # The records can still be read, but offer nothing to record.
    plan = client.get(pages["plan"].url).content.decode()
    assert case.goal.title in plan
    assert "Add a goal" not in plan
    assert pages["goal_add"].url not in plan
    progress = client.get(pages["progress"].url).content.decode()
    assert pages["reading_add"].url not in progress
    contact_list = client.get(pages["contacts"].url).content.decode()
    assert PRIVATE_NOTE in contact_list
    assert pages["contact_record"].url not in contact_list


def test_the_worker_is_offered_every_change(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    """The contrast for the referrer's read-only view below."""
    pages = _pages(case)
    client.force_login(personas["worker_north"])
    plan = client.get(pages["plan"].url).content.decode()
    assert "Add a goal" in plan
    for name in ("goal_add", "goal_close", "step_add", "step_update", "review_add"):
        assert pages[name].url in plan, name
    assert pages["contacts"].url in plan  # the tab
    progress = client.get(pages["progress"].url).content.decode()
    assert pages["reading_add"].url in progress


def test_the_referrer_reads_plan_and_progress_without_changing_them(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    pages = _pages(case)
    client.force_login(personas["referrer"])
    plan = client.get(pages["plan"].url).content.decode()
    assert case.goal.title in plan
    assert case.step.description in plan
    assert "Add a goal" not in plan
    assert "Record a review" not in plan
    for name in ("goal_add", "goal_close", "step_add", "step_update", "review_add", "contacts"):
        assert pages[name].url not in plan, name
    assert "Contacts and wrap-around support" not in plan
    progress = client.get(pages["progress"].url).content.decode()
    assert "Intake" in progress
    assert pages["reading_add"].url not in progress
    assert "Record a reading" not in progress


def test_the_referrer_sees_flagged_concerns_but_not_other_notes(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    client.force_login(personas["referrer"])
    response = client.get(f"/participants/{case.participant_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Concerns shared with the referrer" in html
    assert FLAGGED_NOTE in html
    assert PRIVATE_NOTE not in html
    for path in ("plan", "progress"):
        page = client.get(_pages(case)[path].url).content.decode()
        assert PRIVATE_NOTE not in page, path


def test_no_concerns_section_when_nothing_is_flagged(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    Contact.objects.filter(pk=case.flagged.pk).update(tell_referrer=False)
    client.force_login(personas["referrer"])
    html = client.get(f"/participants/{case.participant_id}/").content.decode()
    assert "Concerns shared with the referrer" not in html
    assert FLAGGED_NOTE not in html


def test_the_worker_sees_every_contact_note(
    client: Client, personas: dict[str, User], case: Case
) -> None:
    client.force_login(personas["worker_north"])
    html = client.get(_pages(case)["contacts"].url).content.decode()
    assert FLAGGED_NOTE in html
    assert PRIVATE_NOTE in html
    assert "Shared with the referrer as a concern" in html


@pytest.mark.parametrize(
    ("role", "listed"),
    [("worker_north", True), ("manager", True), ("worker_south", False), ("outsider", False)],
)
def test_the_to_do_list_shows_only_cases_in_scope(
    client: Client, personas: dict[str, User], case: Case, role: str, listed: bool
) -> None:
    client.force_login(personas[role])
    html = client.get("/to-do/").content.decode()
    assert (case.referral.participant.full_name in html) is listed
    assert (f"/referrals/{case.referral.pk}/contacts/{case.awaiting.pk}/feedback/" in html) is (
        listed
    )


@pytest.mark.parametrize("role", ["manager", "commissioner"])
def test_distance_travelled_for_the_service_names_no_one(
    client: Client, personas: dict[str, User], case: Case, role: str
) -> None:
    client.force_login(personas[role])
    response = client.get("/service/distance-travelled/")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.referral.participant.full_name not in html
    crn = case.referral.participant.crn
    assert crn and crn not in html
    assert f"/referrals/{case.referral.pk}/" not in html
    assert f"/participants/{case.participant_id}/" not in html
