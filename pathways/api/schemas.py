"""What the API takes and gives: pydantic schemas, from which the OpenAPI document is
generated. The referral's fields are the referral form's (``referrals.forms.ReferralForm``),
checked by that form."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from pathways.imports.models import BatchStatus, Kind
from pathways.participants.models import Gender, Location
from pathways.referrals.models import Cohort, OrderType, RiskFlag, Source


class FieldError(Schema):
    field: str = Field(description="The field (empty for the request as a whole).")
    message: str = Field(description="What is wrong, as the page's form says it.")


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="For invalid input: each field and its message."
    )


class ReferralIn(Schema):
    """The referral form's questions. Dates are YYYY-MM-DD; choices are codes; the area is
    the local authority area's name as the service lists it."""

    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    date_of_birth: datetime.date
    gender: Gender
    crn: str = Field(default="", max_length=20, description="Needed for Probation referrals.")
    pnc_id: str = Field(default="", max_length=20)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=2000)
    area: str = Field(max_length=80, description="The local authority area where they live.")
    location: Location
    source: Source
    cohort: Cohort
    order_type: OrderType
    order_end_date: datetime.date | None = None
    order_ended_reason: str = Field(
        default="", max_length=2000, description="Needed when the order has already ended."
    )
    prison_name: str = Field(default="", max_length=120, description="For ROTL referrals.")
    prison_number: str = Field(default="", max_length=20, description="For ROTL referrals.")
    expected_release_date: datetime.date | None = None
    reason: str = Field(max_length=5000)
    ete_needs: str = Field(max_length=5000)
    risk_information: str = Field(default="", max_length=5000)
    risk_flags: list[RiskFlag] = Field(default_factory=list, max_length=10)
    accessibility_needs: str = Field(default="", max_length=5000)
    interpreter_language: str = Field(default="", max_length=60)
    consent_given: bool
    consent_date: datetime.date


class HistoryOut(Schema):
    event: str = Field(
        description="received, held_for_review, review_done, accepted, "
        "declined, started, ended, amended"
    )
    at: datetime.datetime


class ReferralOut(Schema):
    id: int
    status: str = Field(
        description="The referral's status code (held_for_review while the service checks it)."
    )
    status_label: str
    received_at: datetime.datetime
    changed_at: datetime.datetime = Field(description="When its status or details last changed.")
    history: list[HistoryOut]


class ReferralPage(Schema):
    items: list[ReferralOut]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null when this page is the last."
    )


class TargetOut(Schema):
    kind: str
    value: float
    status: str
    status_words: str
    pro_rata: float | None = None


class BreakdownOut(Schema):
    label: str
    count: int


class MeasureOut(Schema):
    key: str
    number: int | None
    name: str
    definition: str
    unit: str
    target_unit: str
    higher_is_better: bool
    value: float | None
    numerator: int | None
    denominator: int | None
    breakdown: list[BreakdownOut]
    note: str
    status: str | None
    status_words: str
    targets: list[TargetOut]


class FiguresOut(Schema):
    service: str
    start: datetime.date
    end: datetime.date
    measures: list[MeasureOut]


class EqualityTableOut(Schema):
    rows: dict[str, dict[str, int | None]] = Field(
        description="Category to stage to count; null where disclosure control withheld it."
    )
    total: dict[str, int | None]


class EqualityOut(Schema):
    service: str
    start: datetime.date
    end: datetime.date
    threshold: int = Field(description="Counts from 1 to this are withheld.")
    tables: dict[str, EqualityTableOut]


class ImportErrorOut(Schema):
    row: int
    column: str
    value: str
    expected: str


class ImportOut(Schema):
    id: int
    kind: Kind
    status: BatchStatus
    status_label: str
    dry_run: bool
    uploaded_at: datetime.datetime
    finished_at: datetime.datetime | None
    total_rows: int
    rows_processed: int
    created: int
    updated: int
    unchanged: int
    skipped_unknown: int
    error_count: int
    errors: list[ImportErrorOut] = Field(description="The first 1,000 errors.")
    skipped_rows: list[int] = Field(description="Rows skipped: their CRN is not of the service.")
    failure: str = ""
