"""The API's access matrix: for every operation, what each kind of caller gets. One line
per operation (URL name); ``test_api_matrix.py`` fails on an operation with no line.

Callers: no token; a token of the owning client holding one scope (one caller per scope);
another client of the same service, and a client of another service (each holding every
scope); a suspended client. The records (a referral, an import) are the owning client's.

``ok``: the scope that the operation needs; a token holding it gets ``status``, a token
of the owning client without it 403. ``own``: the record in the URL is the owning
client's, so any other client gets 404. ``service``: the query names the owning client's
service, so a client of another service gets 404. Without a token, or suspended: 401.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pathways.api.scopes import FIGURES_READ, IMPORTS_WRITE, REFERRALS_READ, REFERRALS_WRITE

CALLERS = (
    "anonymous",
    REFERRALS_WRITE,
    REFERRALS_READ,
    FIGURES_READ,
    IMPORTS_WRITE,
    "other_client",
    "elsewhere",
    "suspended",
)


@dataclass(frozen=True)
class ApiRule:
    method: str
    path: str  # with {referral} and {batch} for the owning client's records
    ok: str
    status: int = 200
    own: bool = False
    service: bool = False
    body: str = ""  # "referral" or "extract"
    query: dict[str, Any] = field(default_factory=dict)

    def expected(self, caller: str) -> int:
        if caller in ("anonymous", "suspended"):
            return 401
        if caller in (REFERRALS_WRITE, REFERRALS_READ, FIGURES_READ, IMPORTS_WRITE):
            return self.status if caller == self.ok else 403
        if self.own or (self.service and caller == "elsewhere"):
            return 404
        return self.status


PERIOD = {"start": "2026-04-01", "end": "2026-09-30"}

RULES: dict[str, ApiRule] = {
    "api:referral_create": ApiRule(
        "POST", "/api/v1/referrals", REFERRALS_WRITE, 201, body="referral"
    ),
    "api:referral_list": ApiRule("GET", "/api/v1/referrals", REFERRALS_READ),
    "api:referral_get": ApiRule("GET", "/api/v1/referrals/{referral}", REFERRALS_READ, own=True),
    "api:figures": ApiRule("GET", "/api/v1/figures", FIGURES_READ, service=True, query=PERIOD),
    "api:figures_equality": ApiRule(
        "GET", "/api/v1/figures/equality", FIGURES_READ, service=True, query=PERIOD
    ),
    "api:import_create": ApiRule("POST", "/api/v1/imports", IMPORTS_WRITE, 202, body="extract"),
    "api:import_get": ApiRule("GET", "/api/v1/imports/{batch}", IMPORTS_WRITE, own=True),
}
