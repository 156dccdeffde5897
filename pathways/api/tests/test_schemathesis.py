"""schemathesis runs every operation of the OpenAPI document against the app (WSGI, in
this process, on the test database): with a valid token of a client holding every scope,
and with none, from data the document allows and data it does not. No answer is a server
error, and every answer matches the document (status code, content type, body schema).
Kept to a few examples an operation so that it runs in ``make test``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from pathways.api.tests.conftest import bearer

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = 8
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def connection_kept() -> Iterator[None]:
    """The app is called as WSGI, not through Django's test client, so Django would close
    the database connection at each request's start and end (``close_old_connections``),
    and with it the test's transaction on PostgreSQL. Django's test client holds the
    signals off around each of its own requests (and connects them again after), so this
    wraps only the WSGI calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema() -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _fuzz(operation: Any, headers: dict[str, str], answered: dict[str, set[int]]) -> None:
    """A few cases of the operation: data the document allows, and data it does not
    (which must be refused with a documented 4xx)."""

    @given(
        case=operation.as_strategy()
        | operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
    )
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        answered.setdefault(case.operation.label, set()).add(response.status_code)

    check()


@pytest.mark.parametrize("signed", [True, False], ids=["with a token", "without"])
def test_every_operation_keeps_to_the_document(
    client: Client, ndelius: Any, token: Any, signed: bool
) -> None:
    headers = {"Authorization": bearer(token(ndelius))["HTTP_AUTHORIZATION"]} if signed else {}
    answered: dict[str, set[int]] = {}
    with connection_kept():
        operations = [result.ok() for result in _schema().get_all_operations()]
        for operation in operations:
            _fuzz(operation, headers, answered)
    assert len(operations) == 7
    # Every operation was reached and answered; with a token, past the token check.
    assert set(answered) == {operation.label for operation in operations}
    if signed:
        assert all(codes - {401} for codes in answered.values()), answered
        assert all(code < 500 for codes in answered.values() for code in codes), answered
    else:
        assert all(codes == {401} for codes in answered.values()), answered


def test_the_answers_of_success_keep_to_the_document(
    client: Client, ndelius: Any, token: Any
) -> None:
    """Random bodies rarely make a referral the form accepts: a referral made, read and
    listed, and an extract uploaded and read, each checked against the document."""
    headers = {"Authorization": bearer(token(ndelius))["HTTP_AUTHORIZATION"]}
    with connection_kept():
        _made_read_listed_uploaded(headers)


def _made_read_listed_uploaded(headers: dict[str, str]) -> None:
    from pathways.api.tests.conftest import referral_body

    schema = _schema()
    made = schema["/api/v1/referrals"]["POST"].Case(
        body=referral_body(), headers={**headers, "Idempotency-Key": "made-once"}
    )
    response = made.call_and_validate(checks=CHECKS)
    assert response.status_code == 201
    referral_id = response.json()["id"]
    for again in range(2):
        replay = made.call_and_validate(checks=CHECKS)
        assert replay.status_code == 201 and replay.json()["id"] == referral_id, again
    read = schema["/api/v1/referrals/{referral_id}"]["GET"].Case(
        path_parameters={"referral_id": referral_id}, headers=headers
    )
    assert read.call_and_validate(checks=CHECKS).status_code == 200
    listed = schema["/api/v1/referrals"]["GET"].Case(query={"limit": 1}, headers=headers)
    assert listed.call_and_validate(checks=CHECKS).json()["items"][0]["id"] == referral_id
    # schemathesis names an uploaded file by its field, so the upload goes through
    # Werkzeug's client (as schemathesis calls the app) with a CSV's name, then is checked.
    app = WerkzeugClient(get_wsgi_application())
    uploaded = app.post(
        "/api/v1/imports",
        data={"kind": "orders", "file": (io.BytesIO(b"crn,order_type\nX1,none\n"), "o.csv")},
        headers=headers,
    )
    assert uploaded.status_code == 202, uploaded.text
    schema["/api/v1/imports"]["POST"].validate_response(uploaded)
    batch = uploaded.get_json()
    assert isinstance(batch, dict)
    state = app.get(f"/api/v1/imports/{batch['id']}", headers=headers)
    assert state.status_code == 200
    schema["/api/v1/imports/{import_id}"]["GET"].validate_response(state)
