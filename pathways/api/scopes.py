"""The API's scopes: what a client may be given. Fixed here, in one place; the
administrator chooses some of them for each client (``ApiClient.scopes``)."""

from __future__ import annotations

REFERRALS_WRITE = "referrals:write"
REFERRALS_READ = "referrals:read"
FIGURES_READ = "figures:read"
IMPORTS_WRITE = "imports:write"

SCOPES: dict[str, str] = {
    REFERRALS_WRITE: "Make referrals to the client's service",
    REFERRALS_READ: "Read the status and history of the referrals the client made",
    FIGURES_READ: "Read the service's measures and disclosure-controlled equality figures "
    "(aggregate only: never a person)",
    IMPORTS_WRITE: "Upload probation extracts for the service and read their imports",
}
