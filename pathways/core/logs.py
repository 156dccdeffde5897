"""Structured logs: one JSON object a line, each with the id of the request (or task) it
belongs to, so that one request's lines can be found together and matched with the web
server's access log (config/gunicorn.py logs the same id from the ``X-Request-Id`` header).

What goes in a line is what the code logged: paths, record ids and counts, never personal
data (docs/security.md; pathways/core/tests/test_nothing_personal_in_logs.py). The
formatter adds only the time, level, logger name and request id: never the request's
query string, user, or form data.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-Id"
# An id given by the proxy in front is kept if it looks like one (letters, digits, dashes,
# at most 64): anything else is replaced, so no free text reaches the logs this way.
_ACCEPTED = re.compile(r"^[A-Za-z0-9-]{8,64}$")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every request an id (the proxy's ``X-Request-Id`` if it is well formed), hold it
    for the log lines written while the request runs, and send it back in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        rid = given if _ACCEPTED.match(given) else new_id()
        # Held until the response is closed (``request_finished``): Django logs a 4xx or
        # 5xx response after the middleware has returned it.
        request_id.set(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


@receiver(request_finished)
def _request_finished(**kwargs: object) -> None:
    request_id.set("")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id"}`` and, for an error, the
    exception's type and traceback (the settings' filters decide what the message may say)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
