"""Errors as RFC 9457 problem details (``application/problem+json``): a type, a title, the
status, a detail in plain words, and for invalid input the fields and their messages
(the same messages as the pages' forms)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse

PROBLEM_JSON = "application/problem+json"
# Each problem's type is a fragment of the API's documentation page (docs/api.md too).
TYPE_BASE = "/api/v1/docs/#problem-"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    413: "Too large",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
}
TYPES = {
    400: "bad-request",
    401: "unauthorised",
    403: "forbidden",
    404: "not-found",
    413: "too-large",
    422: "invalid",
    429: "rate-limited",
    500: "server-error",
}


class Problem(Exception):
    """Raised anywhere in an operation: answered as a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str = "",
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + TYPES.get(status, "error"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="pathways"'
    return response


def field_errors(errors: Mapping[str, Iterable[Any]]) -> list[dict[str, str]]:
    """A form's errors as the problem's field list: one entry per message."""
    return [
        {"field": "" if name == "__all__" else name, "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]


def schema_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors (from django-ninja) as the field list: the field's name (its
    place in the body or query) and a message in plain words, never the value sent."""
    found = []
    for error in errors:
        where = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        place = (
            where[0] if where and where[0] in ("query", "header", "path", "form", "file") else ""
        )
        if place:
            where = where[1:]
        field = ".".join(where)
        message = str(error.get("msg", "Invalid value"))
        found.append({"field": field, "message": message})
    return found
