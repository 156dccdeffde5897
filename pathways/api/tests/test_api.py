"""The API's rules: scope (404 outside it, 403 without the scope, 401 without a valid or
with a suspended client's token), referrals made through the form, idempotency, the cursor,
the rate limit, problem details, figures without people, extracts, and the audit trail."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.accounts.tests.factories import AreaFactory, PatchFactory, ServiceFactory
from pathways.api import services
from pathways.api.models import IdempotencyKey
from pathways.api.oauth import TOKEN_ISSUED
from pathways.api.problems import PROBLEM_JSON
from pathways.api.tests.conftest import TOKEN_URL, bearer, referral_body, send
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.roles import Role
from pathways.referrals.models import Referral
from pathways.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"] and body["detail"]
    return body


# ---------------------------------------------------------------- tokens and scope


def test_a_token_lasts_an_hour_at_most_and_its_issue_is_audited(
    client: Client, ndelius: Any
) -> None:
    credentials = {"grant_type": "client_credentials"}
    answer = client.post(
        TOKEN_URL,
        {**credentials, "client_id": ndelius.client_id, "client_secret": ndelius.client_secret},
    )
    assert answer.status_code == 200, answer.content
    assert 0 < answer.json()["expires_in"] <= 3600
    assert set(answer.json()["scope"].split()) == set(ndelius.client.scopes)
    issued = AuditEvent.objects.get(action=TOKEN_ISSUED)
    assert issued.actor_id == ndelius.client.account_id


def test_a_wrong_secret_gets_no_token(client: Client, ndelius: Any) -> None:
    answer = client.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": ndelius.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert answer.status_code == 401


def test_a_scope_not_given_is_not_granted(
    client: Client, service: Service, north: Any, register: Any
) -> None:
    figures_only = register(service, ["figures:read"])
    answer = client.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": figures_only.client_id,
            "client_secret": figures_only.client_secret,
            "scope": "referrals:read",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"


def test_without_a_token_every_call_is_401_problem(client: Client, ndelius: Any) -> None:
    for response in (
        client.get("/api/v1/referrals"),
        client.get("/api/v1/referrals/1", HTTP_AUTHORIZATION="Bearer not-a-token"),
        client.get("/api/v1/figures?start=2026-01-01&end=2026-06-30"),
        send(client, "forged", referral_body()),
    ):
        problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Referral.objects.exists()


def test_a_call_without_its_scope_is_403_and_audited(
    client: Client, service: Service, north: Any, register: Any, token: Any
) -> None:
    figures_only = register(service, ["figures:read"])
    access = token(figures_only)
    body = problem(send(client, access, referral_body()), 403)
    assert "referrals:write" in body["detail"]
    problem(client.get("/api/v1/referrals", **bearer(access)), 403)
    assert not Referral.objects.exists()
    refused = AuditEvent.objects.filter(kind=AuditKind.REFUSAL, actor=figures_only.client.account)
    assert refused.count() == 2


def test_a_client_never_sees_another_clients_referrals(
    client: Client, service: Service, north: Any, register: Any, token: Any, referrer: User
) -> None:
    mine, theirs = register(service, name="Case system A"), register(service, name="B")
    made = send(client, token(mine), referral_body()).json()
    by_hand = make_referral(referrer, first_name="Alex", crn="X222222")
    other = token(theirs)
    for pk in (made["id"], by_hand.pk):
        problem(client.get(f"/api/v1/referrals/{pk}", **bearer(other)), 404)
    assert client.get("/api/v1/referrals", **bearer(other)).json()["items"] == []
    refusals = AuditEvent.objects.filter(
        kind=AuditKind.REFUSAL, actor=theirs.client.account, object_type="referrals.referral"
    )
    assert refusals.count() == 2


def test_a_suspended_client_is_refused_at_once(
    client: Client, ndelius: Any, token: Any, admin_user: User
) -> None:
    access = token(ndelius)
    assert client.get("/api/v1/referrals", **bearer(access)).status_code == 200
    services.client_suspend(actor=admin_user, client=ndelius.client)
    problem(client.get("/api/v1/referrals", **bearer(access)), 401)
    problem(send(client, access, referral_body()), 401)
    refused = client.post(
        TOKEN_URL,
        {
            "grant_type": "client_credentials",
            "client_id": ndelius.client_id,
            "client_secret": ndelius.client_secret,
        },
    )
    assert refused.status_code == 401
    assert not Referral.objects.exists()
    services.client_reinstate(actor=admin_user, client=ndelius.client)
    assert client.get("/api/v1/referrals", **bearer(token(ndelius))).status_code == 200


def test_a_token_of_a_suspended_client_is_refused_even_if_not_revoked(
    client: Client, ndelius: Any, token: Any
) -> None:
    """Suspension is checked on every call, not only by revoking tokens."""
    access = token(ndelius)
    type(ndelius.client).objects.filter(pk=ndelius.client.pk).update(suspended_at=timezone.now())
    problem(client.get("/api/v1/referrals", **bearer(access)), 401)


def test_an_account_changed_by_hand_is_refused_never_widened(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    User.objects.filter(pk=ndelius.client.account_id).update(role=Role.MANAGER)
    problem(client.get("/api/v1/referrals", **bearer(access)), 401)


# ---------------------------------------------------------------- referrals


def test_a_referral_is_made_read_and_listed_with_its_history(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    made = send(client, access, referral_body())
    assert made.status_code == 201, made.content
    referral = made.json()
    assert referral["status"] == "received"
    assert [event["event"] for event in referral["history"]] == ["received"]
    assert "Robyn" not in made.content.decode()
    stored = Referral.objects.get(pk=referral["id"])
    assert stored.referred_by_id == ndelius.client.account_id
    assert stored.participant.crn == "X123456"
    got = client.get(f"/api/v1/referrals/{referral['id']}", **bearer(access))
    assert got.json() == referral
    listed = client.get("/api/v1/referrals", **bearer(access)).json()
    assert listed == {"items": [referral], "next_cursor": None}


def test_the_forms_rules_and_messages_hold(client: Client, ndelius: Any, token: Any) -> None:
    access = token(ndelius)
    body = problem(
        send(client, access, referral_body(consent_given=False, crn="", area="Atlantis")), 422
    )
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert messages["consent_given"] == "Confirm the person has agreed to be referred"
    assert messages["crn"] == "Enter the CRN for a Probation referral"
    assert "area" in messages
    too_young = timezone.localdate().replace(year=timezone.localdate().year - 15)
    body = problem(send(client, access, referral_body(date_of_birth=too_young.isoformat())), 422)
    assert body["errors"] == [
        {"field": "date_of_birth", "message": "The person must be aged 16 or over to be referred"}
    ]
    body = problem(send(client, access, referral_body(date_of_birth="2001-02-30")), 422)
    assert body["errors"][0]["field"] == "date_of_birth"
    assert not Referral.objects.exists()


def test_a_match_outside_the_clients_scope_is_held_and_says_only_held_for_review(
    client: Client, ndelius: Any, token: Any, outsider: User
) -> None:
    elsewhere_patch = PatchFactory(service=outsider.service, name="West")
    AreaFactory(patch=elsewhere_patch, name="Elsewhere")
    known = make_referral(outsider, crn="X123456", first_name="Robin")
    made = send(client, token(ndelius), referral_body())
    assert made.status_code == 201, made.content
    referral = made.json()
    assert referral["status"] == "held_for_review"
    assert referral["status_label"] == "Held for review"
    text = made.content.decode()
    assert (
        "duplicate" not in text.lower() and str(known.participant_id) not in text.split('"id"')[0]
    )
    held = Referral.objects.get(pk=referral["id"])
    assert held.held_at is not None and held.participant_id != known.participant_id


def test_the_same_key_and_body_give_the_same_referral_never_two(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    first = send(client, access, referral_body(), key="abc-1")
    again = send(client, access, referral_body(), key="abc-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1 == IdempotencyKey.objects.count()
    changed = send(client, access, referral_body(reason="Other words."), key="abc-1")
    assert "Idempotency-Key" in problem(changed, 422)["detail"]
    problem(
        client.post(
            "/api/v1/referrals", referral_body(), content_type="application/json", **bearer(access)
        ),
        422,
    )
    assert Referral.objects.count() == 1


def test_keys_are_the_clients_own(
    client: Client, service: Service, north: Any, register: Any, token: Any
) -> None:
    one, two = register(service, name="One"), register(service, name="Two")
    first = send(client, token(one), referral_body(), key="same")
    second = send(client, token(two), referral_body(crn="X654321", first_name="Sam"), key="same")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


def test_the_list_pages_by_cursor_in_a_stable_order(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    made = [
        send(
            client,
            access,
            referral_body(first_name=f"Person{n}", crn=f"X12345{n}"),
            key=f"k{n}",
        ).json()["id"]
        for n in range(5)
    ]
    seen: list[int] = []
    cursor = ""
    while True:
        url = "/api/v1/referrals?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, **bearer(access)).json()
        seen += [item["id"] for item in page["items"]]
        assert len(page["items"]) <= 2
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert seen == made
    later = timezone.now() + datetime.timedelta(minutes=1)
    since = client.get(
        "/api/v1/referrals", {"changed_since": later.isoformat()}, **bearer(access)
    ).json()
    assert since["items"] == []
    body = problem(client.get("/api/v1/referrals?cursor=forged", **bearer(access)), 422)
    assert body["errors"][0]["field"] == "cursor"


def test_a_change_moves_a_referral_to_the_end_of_the_list(
    client: Client, ndelius: Any, token: Any, manager: User
) -> None:
    from pathways.referrals import services as referral_services
    from pathways.referrals.models import DeclineReason

    access = token(ndelius)
    first = send(client, access, referral_body(), key="a").json()["id"]
    second = send(client, access, referral_body(first_name="Sam", crn="X654321"), key="b").json()
    reason = DeclineReason.objects.filter(needs_note=False).first()
    assert reason is not None
    referral_services.referral_decline(
        actor=manager, referral=Referral.objects.get(pk=first), reason=reason, note=""
    )
    items = client.get("/api/v1/referrals", **bearer(access)).json()["items"]
    assert [item["id"] for item in items] == [second["id"], first]
    assert items[1]["status"] == "declined"
    assert [event["event"] for event in items[1]["history"]] == ["received", "declined"]


def test_the_list_makes_as_many_queries_for_many_referrals_as_for_one(
    client: Client, ndelius: Any, token: Any
) -> None:
    """Each item's history (its amendments too) comes with the page: no query an item.
    Counted by an execute wrapper: a request empties the connection's query log."""
    from django.db import connection

    from pathways.referrals.models import ReferralAmendment

    access = token(ndelius)

    def make(n: int) -> None:
        made = send(
            client, access, referral_body(first_name=f"Person{n}", crn=f"X12345{n}"), key=f"k{n}"
        )
        ReferralAmendment.objects.create(
            referral_id=made.json()["id"],
            by_id=ndelius.client.account_id,
            reason="Corrected.",
            changes={},
        )

    def listed() -> tuple[int, list[dict[str, Any]]]:
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any) -> Any:
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            response = client.get("/api/v1/referrals", **bearer(access))
        assert response.status_code == 200, response.content
        return len(queries), response.json()["items"]

    make(0)
    one, items = listed()
    assert len(items) == 1
    for n in range(1, 5):
        make(n)
    several, items = listed()
    assert len(items) == 5
    assert several == one
    assert all([e["event"] for e in item["history"]] == ["received", "amended"] for item in items)


def test_the_rate_limit_says_how_long_to_wait(
    client: Client, ndelius: Any, token: Any, settings: Any
) -> None:
    settings.API_RATE_LIMIT = 2
    access = token(ndelius)
    for _ in range(2):
        assert client.get("/api/v1/referrals", **bearer(access)).status_code == 200
    refused = client.get("/api/v1/referrals", **bearer(access))
    problem(refused, 429)
    assert 1 <= int(refused["Retry-After"]) <= settings.API_RATE_WINDOW


def test_the_rate_is_counted_once_for_every_web_process(
    client: Client, ndelius: Any, token: Any, settings: Any
) -> None:
    """The count lives in the database, not in one process's memory: a process with an
    empty cache of its own (here, the cache cleared) still sees the calls made before."""
    from django.core.cache import cache

    from pathways.api.models import CallWindow
    from pathways.api.ratelimit import seconds_to_wait

    settings.API_RATE_LIMIT, settings.API_RATE_WINDOW = 2, 60
    access = token(ndelius)
    for _ in range(2):
        assert client.get("/api/v1/referrals", **bearer(access)).status_code == 200
        cache.clear()
    problem(client.get("/api/v1/referrals", **bearer(access)), 429)
    # The next window starts afresh, and the client's older windows go.
    later = CallWindow.objects.get().started + 60
    assert seconds_to_wait(ndelius.client.pk, now=later + 1) == 0
    assert list(CallWindow.objects.values_list("started", "calls")) == [(later, 1)]


# ---------------------------------------------------------------- figures


def test_figures_are_the_measures_and_never_a_person(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    send(client, access, referral_body())
    today = timezone.localdate()
    query = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    answer = client.get("/api/v1/figures", query, **bearer(access))
    assert answer.status_code == 200, answer.content
    figures = answer.json()
    from pathways.outcomes.measures import MEASURES

    assert [measure["key"] for measure in figures["measures"]] == [m.key for m in MEASURES]
    assert all(measure["definition"] for measure in figures["measures"])
    equality = client.get("/api/v1/figures/equality", query, **bearer(access))
    assert equality.status_code == 200, equality.content
    assert equality.json()["threshold"] >= 1
    for text in (answer.content.decode(), equality.content.decode()):
        assert "Robyn" not in text and "Hale" not in text and "X123456" not in text
    # One referral: a count of 1 is withheld wherever it would show.
    rows = equality.json()["tables"]["age_band"]["rows"]
    assert all(count in (0, None) for stages in rows.values() for count in stages.values())


def test_another_services_figures_are_not_found(client: Client, ndelius: Any, token: Any) -> None:
    other = ServiceFactory(name="Elsewhere")
    access = token(ndelius)
    query: dict[str, str] = {"start": "2026-01-01", "end": "2026-06-30", "service": str(other.slug)}
    problem(client.get("/api/v1/figures", query, **bearer(access)), 404)
    problem(client.get("/api/v1/figures/equality", query, **bearer(access)), 404)
    own = {**query, "service": ndelius.client.service.slug}
    assert client.get("/api/v1/figures", own, **bearer(access)).status_code == 200
    backwards = {"start": "2026-06-30", "end": "2026-01-01"}
    problem(client.get("/api/v1/figures", backwards, **bearer(access)), 422)


# ---------------------------------------------------------------- extracts


def test_an_extract_is_imported_all_or_nothing_and_only_its_client_reads_it(
    client: Client, service: Service, north: Any, register: Any, token: Any
) -> None:
    mine, theirs = register(service, name="Mine"), register(service, name="Theirs")
    access = token(mine)
    bad = io.BytesIO(b"crn,order_type,start_date\nnot-a-crn,licence,someday\n")
    bad.name = "orders.csv"
    answer = client.post("/api/v1/imports", {"kind": "orders", "file": bad}, **bearer(access))
    assert answer.status_code == 202, answer.content
    batch = answer.json()
    got = client.get(f"/api/v1/imports/{batch['id']}", **bearer(access)).json()
    assert got["status"] == "rejected"
    assert got["error_count"] >= 1 and got["errors"] and got["created"] == 0
    problem(client.get(f"/api/v1/imports/{batch['id']}", **bearer(token(theirs))), 404)
    text = io.BytesIO(b"hello")
    text.name = "orders.txt"
    body = problem(
        client.post("/api/v1/imports", {"kind": "orders", "file": text}, **bearer(access)), 422
    )
    assert body["errors"] == [
        {"field": "file", "message": "The selected file must be a CSV or XLSX file"}
    ]
    viewed = AuditEvent.objects.filter(actor=mine.client.account, action="import.report_viewed")
    assert viewed.count() == 1


# ---------------------------------------------------------------- the audit trail


def test_every_call_is_audited_as_the_client_and_the_chain_holds(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    made = send(client, access, referral_body()).json()
    client.get(f"/api/v1/referrals/{made['id']}", **bearer(access))
    client.get("/api/v1/referrals", **bearer(access))
    client.get("/api/v1/figures?start=2026-01-01&end=2026-06-30", **bearer(access))
    actions = list(
        AuditEvent.objects.filter(actor=ndelius.client.account)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        TOKEN_ISSUED,
        "referral.created",
        "referral.viewed",
        "api.referrals.viewed",
        "api.figures_viewed",
    ]
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "Audit chain intact" in out.getvalue()


def test_bodies_that_cannot_be_read_are_400_problems(
    client: Client, ndelius: Any, token: Any
) -> None:
    access = token(ndelius)
    unreadable = client.post(
        "/api/v1/referrals",
        b"\x1d\x9d\x17",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **bearer(access),
    )
    problem(unreadable, 400)
    no_boundary = client.post(
        "/api/v1/imports", b"--x", content_type="multipart/form-data", **bearer(access)
    )
    problem(no_boundary, 400)
    number = client.get("/api/v1/referrals", {"changed_since": "0.5"}, **bearer(access))
    assert problem(number, 422)["errors"][0]["field"] == "changed_since"


def test_expired_tokens_are_refused_and_swept_each_night(
    client: Client, ndelius: Any, token: Any
) -> None:
    from oauth2_provider.models import AccessToken

    from pathways.core import scheduler

    access = token(ndelius)
    AccessToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    problem(client.get("/api/v1/referrals", **bearer(access)), 401)
    scheduler.JOBS["clear_expired_tokens"].run()
    assert not AccessToken.objects.exists()
