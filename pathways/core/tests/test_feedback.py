"""The phase banner's feedback link and page (GOV.UK's pattern): open to everyone, asks
nothing personal, keeps only the giver's role and service, and shows the manager their
service's feedback and the administrator everyone's; kept for its retention period."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import User
from pathways.core.feedback import MAX_LENGTH
from pathways.core.models import Feedback
from pathways.data_protection.retention import feedback_purge
from pathways.data_protection.schedule import FEEDBACK_RETENTION_YEARS

pytestmark = pytest.mark.django_db


def test_every_page_has_the_feedback_link_in_the_phase_banner(
    client: Client, personas: dict[str, User]
) -> None:
    for page in ("/accounts/login/", "/accessibility/"):
        html = client.get(page).content.decode()
        assert "Help us improve it and" in html
        assert 'href="/feedback/" target="_blank" rel="noreferrer noopener"' in html
        assert "give your feedback (opens in new tab)</a>" in html


def test_feedback_asks_nothing_personal_and_keeps_the_role_not_the_person(
    client: Client, personas: dict[str, User]
) -> None:
    worker = personas["worker_north"]
    client.force_login(worker)
    form = client.get("/feedback/").context["form"]
    assert list(form.fields) == ["satisfaction", "improvement"]
    response = client.post(
        "/feedback/", {"satisfaction": "dissatisfied", "improvement": "  The to-do is long.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == "/feedback/thanks/"
    given = Feedback.objects.get()
    assert given.satisfaction == "dissatisfied"
    assert given.improvement == "The to-do is long."
    assert given.role == "worker"
    assert given.service_id == worker.service_id
    # Nothing on the record could name who gave it.
    names = {f.name for f in Feedback._meta.get_fields()}
    assert names == {"id", "given_at", "satisfaction", "improvement", "role", "service"}
    assert "Thank you for your feedback" in client.get("/feedback/thanks/").content.decode()


def test_feedback_can_be_given_signed_out(client: Client) -> None:
    assert client.get("/feedback/").status_code == 200
    client.post("/feedback/", {"satisfaction": "satisfied"})
    given = Feedback.objects.get()
    assert (given.role, given.service_id, given.improvement) == ("", None, "")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"improvement": "Fine"}, "Select how you felt about the service"),
        ({"satisfaction": "ecstatic"}, "Select a valid choice"),
        (
            {"satisfaction": "satisfied", "improvement": "x" * (MAX_LENGTH + 1)},
            f"must be {MAX_LENGTH} characters or fewer",
        ),
        ({"satisfaction": "satisfied", "improvement": "a\x00b"}, ""),
    ],
)
def test_feedback_is_refused_with_a_clear_error(client: Client, data: dict, error: str) -> None:
    response = client.post("/feedback/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert error in response.content.decode()
    assert not Feedback.objects.exists()


def _give(user: User | None, satisfaction: str, text: str) -> None:
    Feedback.objects.create(
        given_at=timezone.now(),
        satisfaction=satisfaction,
        improvement=text,
        role=user.role if user else "",
        service_id=user.service_id if user else None,
    )


def test_the_manager_reads_their_services_feedback_and_the_administrator_everyones(
    client: Client, personas: dict[str, User]
) -> None:
    _give(personas["worker_north"], "satisfied", "Ours")
    _give(personas["outsider"], "very_dissatisfied", "Theirs")
    _give(None, "neither", "Signed out")
    client.force_login(personas["manager"])
    page = client.get("/feedback/received/")
    assert [f.improvement for f in page.context["page"].object_list] == ["Ours"]
    assert ("Satisfied", 1) in page.context["counts"]
    assert ("Very dissatisfied", 0) in page.context["counts"]
    client.force_login(personas["admin"])
    page = client.get("/feedback/received/")
    assert {f.improvement for f in page.context["page"].object_list} == {
        "Ours",
        "Theirs",
        "Signed out",
    }
    for role in ("worker_north", "referrer", "commissioner"):
        client.force_login(personas[role])
        assert client.get("/feedback/received/").status_code == 404


def test_feedback_goes_at_the_end_of_its_retention() -> None:
    now = timezone.now()
    _give(None, "satisfied", "Old")
    _give(None, "satisfied", "New")
    Feedback.objects.filter(improvement="Old").update(
        given_at=now - datetime.timedelta(days=365 * FEEDBACK_RETENTION_YEARS + 2)
    )
    assert feedback_purge(now=now) == 1
    assert list(Feedback.objects.values_list("improvement", flat=True)) == ["New"]


def test_feedback_past_the_hours_limit_is_refused(client: Client) -> None:
    from django.core.cache import cache

    from pathways.core.feedback import HOURLY_LIMIT, TOO_MANY

    cache.clear()
    for _ in range(HOURLY_LIMIT):
        assert client.post("/feedback/", {"satisfaction": "satisfied"}).status_code == 302
    refused = client.post("/feedback/", {"satisfaction": "satisfied"})
    assert refused.status_code == 200
    assert TOO_MANY in refused.content.decode()
    assert Feedback.objects.count() == HOURLY_LIMIT
