"""The identifiers a user types: CRN, PNC id and prison number. Format checks only."""

from __future__ import annotations

import re

CRN_RE = re.compile(r"^[A-Z]\d{6}$")
PNC_RE = re.compile(r"^(\d{2}|\d{4})/\d{1,7}[A-Z]$")
PRISON_NUMBER_RE = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")


def normalise(value: str) -> str:
    """Upper-case and drop spaces, as people type identifiers in many ways."""
    return re.sub(r"\s+", "", value or "").upper()


def is_crn(value: str) -> bool:
    return bool(CRN_RE.match(normalise(value)))


def is_pnc_id(value: str) -> bool:
    return bool(PNC_RE.match(normalise(value)))


def is_prison_number(value: str) -> bool:
    return bool(PRISON_NUMBER_RE.match(normalise(value)))
