"""A fake OpenID Connect provider on 127.0.0.1, for the single sign-on tests.

A real HTTP server in a thread (the backend talks to it through ``requests``, as it would
to a real provider), with the four endpoints of the authorization code flow: authorize
(signs in ``provider.person`` at once, or answers ``error=access_denied`` when there is
nobody), token (checks the client, the code, the redirect address and the PKCE verifier,
and returns an ID token signed RS256 with a key made for the run), userinfo and JWKS.
``tamper`` spoils one thing of the next ID token, to prove the backend notices.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

CLIENT_ID = "pathways-test"
CLIENT_SECRET = "test-client-secret-not-real"
KID = "test-key-1"


@cache
def signing_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def other_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Person:
    """Who the provider signs in, and what it says about them."""

    sub: str
    email: str | None = None
    email_verified: Any = None  # None: the claim is not sent
    amr: list[str] | None = None

    def userinfo(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": self.sub}
        if self.email is not None:
            claims["email"] = self.email
        if self.email_verified is not None:
            claims["email_verified"] = self.email_verified
        return claims


@dataclass
class FakeProvider:
    url: str = ""
    person: Person | None = None
    # One of: "aud", "expired", "nonce", "signature", "issuer", "userinfo_sub", "token_error"
    tamper: str | None = None
    grants: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_OP_ISSUER": self.url,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_PROVIDER_NAME": "Test Council",
        }

    # The endpoints
    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        redirect = query["redirect_uri"]
        if self.person is None:
            answer = {"error": "access_denied", "state": query["state"]}
        else:
            code = secrets.token_urlsafe(16)
            self.grants[code] = {**query, "person": self.person}
            answer = {"code": code, "state": query["state"]}
        return 302, {"Location": f"{redirect}?{urlencode(answer)}"}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        grant = self.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            self.tamper == "token_error"
            or grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
            or grant.get("code_challenge_method") != "S256"
            or challenge != grant.get("code_challenge")
        ):
            return _json(400, {"error": "invalid_grant"})
        person: Person = grant["person"]
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = person
        return _json(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(person, grant["nonce"]),
            },
        )

    def id_token(self, person: Person, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": person.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        if person.amr is not None:
            claims["amr"] = person.amr
        key = signing_key()
        match self.tamper:
            case "aud":
                claims["aud"] = "another-client"
            case "expired":
                claims["iat"], claims["exp"] = now - 900, now - 600
            case "nonce":
                claims["nonce"] = "not-the-nonce"
            case "issuer":
                claims["iss"] = "https://impostor.invalid"
            case "signature":
                key = other_key()
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], bytes]:
        person = self.tokens.get(authorization.removeprefix("Bearer "))
        if person is None:
            return _json(401, {"error": "invalid_token"})
        claims = person.userinfo()
        if self.tamper == "userinfo_sub":
            claims["sub"] = "someone-else"
        return _json(200, claims)

    def jwks(self) -> tuple[int, dict[str, str], bytes]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key().public_key()))
        return _json(200, {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            provider.requests.append(f"GET {parts.path}")
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if parts.path == "/authorize":
                self._answer(*provider.authorize(query))
            elif parts.path == "/userinfo":
                self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
            elif parts.path == "/jwks":
                self._answer(*provider.jwks())
            else:
                self._answer(404, {}, b"")

        def do_POST(self) -> None:
            provider.requests.append(f"POST {self.path}")
            length = int(self.headers.get("Content-Length", "0"))
            form = {
                key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()
            }
            if self.path == "/token":
                self._answer(*provider.token(form))
            else:
                self._answer(404, {}, b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test's output is the test's

    return Handler


@contextmanager
def running_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
