"""A fake GOV.UK Notify on 127.0.0.1: a real HTTP server in a thread that checks the JWT
the client signs, as Notify does (HS256 with the key's secret, ``iss`` the service id,
``iat`` within 30 seconds), and records what it was sent.

``respond`` queues status codes for the next sends (e.g. ``[500, 429]``); then it accepts.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt


@dataclass
class FakeNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    sent: list[dict[str, Any]] = field(default_factory=list)
    refused_tokens: int = 0
    responses: list[int] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def api_key(self) -> str:
        return f"pathways_test-{self.service_id}-{self.secret}"

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def respond(self, *codes: int) -> None:
        self.responses.extend(codes)

    def templates(self) -> list[str]:
        return [sent["template_id"] for sent in self.sent]

    # ---------------------------------------------------------------- the server

    def check_token(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"], "verify_iat": False},
            )
        except jwt.PyJWTError:
            return False
        return claims["iss"] == self.service_id and abs(time.time() - claims["iat"]) <= 30

    def start(self) -> FakeNotify:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def authorised(self) -> bool:
                if fake.check_token(self.headers.get("Authorization")):
                    return True
                fake.refused_tokens += 1
                self.reply(
                    403,
                    {
                        "status_code": 403,
                        "errors": [{"error": "AuthError", "message": "Invalid token"}],
                    },
                )
                return False

            def do_POST(self) -> None:
                if not self.authorised():
                    return
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                kind = self.path.rsplit("/", 1)[-1]
                if kind not in ("email", "sms"):
                    self.reply(404, {"errors": [{"error": "NotFound"}]})
                    return
                if fake.responses:
                    code = fake.responses.pop(0)
                    error = "RateLimitError" if code == 429 else "BadRequestError"
                    if code >= 500:
                        error = "Exception"
                    self.reply(
                        code, {"status_code": code, "errors": [{"error": error, "message": "x"}]}
                    )
                    return
                notification = {"id": str(uuid.uuid4()), "type": kind, **body}
                fake.sent.append(notification)
                self.reply(
                    201,
                    {
                        "id": notification["id"],
                        "reference": body.get("reference"),
                        "template": {"id": body["template_id"], "version": 1, "uri": ""},
                        "content": {},
                        "uri": "",
                    },
                )

            def do_GET(self) -> None:
                if not self.authorised():
                    return
                query = parse_qs(urlparse(self.path).query)
                reference = query.get("reference", [None])[0]
                found = [
                    {"id": n["id"], "reference": n.get("reference"), "status": "sending"}
                    for n in fake.sent
                    if reference is None or n.get("reference") == reference
                ]
                self.reply(200, {"notifications": found, "links": {}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
