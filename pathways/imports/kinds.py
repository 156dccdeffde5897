"""What each kind of extract holds: its columns, how a row is checked and turned into the
fields of a record, and the record's natural key (so that a row seen again updates the
record rather than adding a second one).

docs/imports.md describes the same columns for people; ``static/imports/*.csv`` are the
templates. A test checks the templates carry exactly these headers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pathways.convictions.models import SentenceType
from pathways.imports.models import Kind
from pathways.outcomes.models import OffenceGroup, ProvenBy, Termination
from pathways.participants.identifiers import CRN_RE, normalise
from pathways.referrals.models import OrderType
from pathways.rehabilitation.calculator import Conviction as ConvictionFacts
from pathways.rehabilitation.calculator import InvalidSentence, Length, validate
from pathways.rehabilitation.calculator import Sentence as SentenceFacts

UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
DATE_EXPECTED = "a date as YYYY-MM-DD or DD/MM/YYYY"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    example: str
    required: bool = True  # the column must be present and the cell filled
    aliases: tuple[str, ...] = ()


@dataclass
class RowError:
    row: int
    column: str
    value: str
    expected: str

    def as_dict(self) -> dict[str, Any]:
        # What a file sent is shown with its control characters as codes (a header can hold
        # a NUL, which PostgreSQL's JSON refuses): the report keeps only what it can hold.
        return {
            "row": self.row,
            "column": visible(self.column),
            "value": visible(self.value)[:200],
            "expected": self.expected,
        }


# C0 control characters (U+0000 to U+001F) and DEL. Free text may hold a tab and line
# breaks (LF, and CR as in CRLF); no other cell may hold any, and NUL is refused in every
# cell of the file, ignored columns and the header too.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def visible(value: str) -> str:
    """The value with each control character shown as its code (``\\x0b``), so that the
    report can hold and show it."""
    return CONTROL.sub(lambda match: f"\\x{ord(match[0]):02x}", value)


def control_error(
    row: int, column: str, value: str, pattern: re.Pattern[str] = CONTROL
) -> RowError:
    found = pattern.search(value)
    code = f"0x{ord(found[0]):02X}" if found else "0x00"
    return RowError(
        row,
        column,
        visible(value),
        f"text without control characters (this cell has the control character {code} at "
        f"position {found.start() + 1 if found else 1}: remove it in the spreadsheet)",
    )


def _key(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _choices(choices: list[tuple[str, str]], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accept a choice by its code or its label, however spaced or cased."""
    table = {}
    for value, label in choices:
        table[_key(value)] = value
        table[_key(label)] = value
    for spelling, value in (extra or {}).items():
        table[_key(spelling)] = value
    return table


ORDER_TYPES = _choices(
    OrderType.choices,
    {
        "community": "community_order",
        "co": "community_order",
        "sso": "suspended_sentence",
        "suspended sentence": "suspended_sentence",
        "pss": "post_sentence",
        "yro": "youth_rehabilitation",
    },
)
TERMINATIONS = _choices(
    Termination.choices,
    {
        "completed": "completed",
        "breach": "breach",
        "new offence": "new_offence",
        "revoked": "revoked",
        "other": "other",
    },
)
PROVEN_BY = _choices(ProvenBy.choices)
SENTENCE_TYPES = _choices(SentenceType.choices)
SENTENCE_LENGTH = re.compile(r"^(\d{1,4})\s*(day|week|month|year)s?$", re.IGNORECASE)
OFFENCE_GROUPS = _choices(OffenceGroup.choices)
YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}


class Cells:
    """One data row's cells by column name, collecting every error the row has."""

    def __init__(
        self, row: int, values: dict[str, str], today: datetime.date | None = None
    ) -> None:
        self.row = row
        self.today = today or timezone.localdate()
        self.values = values
        self.errors: list[RowError] = []

    def _raw(self, column: str, required: bool, *, text: bool = False) -> str | None:
        value = self.values.get(column, "")
        pattern = TEXT_CONTROL if text else CONTROL
        if pattern.search(value):
            self.errors.append(control_error(self.row, column, value, pattern))
            return None
        if not value:
            if required:
                self.errors.append(RowError(self.row, column, "", "a value (it is empty)"))
            return None
        return value

    def _wrong(self, column: str, value: str, expected: str) -> None:
        self.errors.append(RowError(self.row, column, value, expected))

    def crn(self, column: str = "crn") -> str:
        value = self._raw(column, True)
        if value is None:
            return ""
        crn = normalise(value)
        if not CRN_RE.match(crn):
            self._wrong(column, value, "a CRN: one letter and six digits, like X123456")
            return ""
        return crn

    def date(
        self, column: str, *, required: bool = True, past: bool = True
    ) -> datetime.date | None:
        value = self._raw(column, required)
        if value is None:
            return None
        match = ISO_DATE.match(value) or UK_DATE.match(value)
        parts: tuple[int, int, int] | None = None
        if match and match.re is ISO_DATE:
            parts = (int(match[1]), int(match[2]), int(match[3]))
        elif match:
            parts = (int(match[3]), int(match[2]), int(match[1]))
        if parts is None:
            self._wrong(column, value, DATE_EXPECTED)
            return None
        try:
            day = datetime.date(*parts)
        except ValueError:
            self._wrong(column, value, "a real date (this day does not exist)")
            return None
        if day.year < 1900:
            self._wrong(column, value, "a date after 1900")
            return None
        if past and day > self.today:
            self._wrong(column, value, "a date that is not in the future")
            return None
        return day

    def choice(self, column: str, table: dict[str, str], *, required: bool = True) -> str:
        value = self._raw(column, required)
        if value is None:
            return ""
        found = table.get(_key(value))
        if found is None:
            options = ", ".join(sorted({v.replace("_", " ") for v in table.values()}))
            self._wrong(column, value, f"one of: {options}")
            return ""
        return found

    def yes_no(self, column: str) -> bool | None:
        value = self._raw(column, True)
        if value is None:
            return None
        found = YES_NO.get(value.strip().lower())
        if found is None:
            self._wrong(column, value, "yes or no")
        return found

    def whole_number(self, column: str, *, low: int, high: int) -> int | None:
        value = self._raw(column, False)
        if value is None:
            return None
        if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
            self._wrong(column, value, f"a whole number from {low} to {high}")
            return None
        return int(value)

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        """Free text, kept exactly as given (a formula stays text; exports neutralise it)."""
        value = self._raw(column, required, text=True)
        if value is None:
            return ""
        if len(value) > max_length:
            self._wrong(column, value, f"at most {max_length} characters")
            return ""
        return value

    def rule(self, column: str, value: object, expected: str) -> None:
        self._wrong(column, "" if value is None else str(value), expected)


Parsed = dict[str, Any]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    columns: tuple[Column, ...]
    parse: Callable[[Cells], Parsed]
    key_fields: tuple[str, ...]  # besides the person
    value_fields: tuple[str, ...]  # what an update may change
    template: str = field(default="")
    # Parsed values that are not fields of the record (offences: the sentence, written to
    # convictions.Conviction by the merge).
    extra_fields: tuple[str, ...] = ()

    def key(self, parsed: Parsed) -> tuple[Any, ...]:
        return tuple(parsed[name] for name in self.key_fields)


def _order(cells: Cells) -> Parsed:
    start = cells.date("start_date")
    expected = cells.date("expected_end_date", required=False, past=False)
    end = cells.date("actual_end_date", required=False)
    termination = cells.choice("termination", TERMINATIONS, required=False)
    if start and expected and expected < start:
        cells.rule("expected_end_date", expected, "a date on or after the start date")
    if start and end and end < start:
        cells.rule("actual_end_date", end, "a date on or after the start date")
    has_end, has_termination = (
        bool(cells.values.get("actual_end_date")),
        bool(cells.values.get("termination")),
    )
    if has_termination and not has_end:
        cells.rule("actual_end_date", "", "an end date, as a termination reason is given")
    if has_end and not has_termination:
        cells.rule("termination", "", "how the order ended, as an end date is given")
    return {
        "order_type": cells.choice("order_type", ORDER_TYPES),
        "start_date": start,
        "expected_end_date": expected,
        "actual_end_date": end,
        "termination": termination,
    }


def _offence(cells: Cells) -> Parsed:
    committed = cells.date("offence_date")
    proven = cells.date("proven_on")
    if committed and proven and proven < committed:
        cells.rule("proven_on", proven, "a date on or after the offence date")
    return {
        "committed_on": committed,
        "proven_on": proven,
        "proven_by": cells.choice("proven_by", PROVEN_BY),
        "category": cells.choice("offence_category", OFFENCE_GROUPS),
        "disposal": cells.text("disposal", max_length=200),
        "sentence": _sentence(cells, proven),
    }


def _flag(cells: Cells, column: str) -> bool:
    return bool(cells.values.get(column)) and bool(cells.yes_no(column))


def _sentence(cells: Cells, proven: datetime.date | None) -> Parsed | None:
    """The optional sentence columns: when the conviction is spent (docs/disclosure.md)."""
    kind = cells.choice("sentence_type", SENTENCE_TYPES, required=False)
    length_text = cells.text("sentence_length", max_length=20)
    ends_on = cells.date("sentence_end_date", required=False, past=False)
    schedule_18, endorsement = _flag(cells, "schedule_18"), _flag(cells, "endorsement")
    if not kind:
        if not cells.values.get("sentence_type") and (length_text or ends_on):
            cells.rule("sentence_type", "", "the sentence type, as its length or end is given")
        return None
    length: tuple[int, str] | None = None
    if length_text:
        match = SENTENCE_LENGTH.match(length_text.strip())
        if match is None or int(match[1]) < 1:
            cells.rule("sentence_length", length_text, "a length such as 6 months or 2 years")
            return None
        length = (int(match[1]), match[2].lower() + "s")
    sentence = {
        "type": kind,
        "length": length[0] if length else None,
        "length_unit": length[1] if length else "",
        "ends_on": ends_on,
        "schedule_18": schedule_18,
        "endorsement": endorsement,
    }
    if proven is not None:
        facts = SentenceFacts(
            type=kind,
            length=Length(length[1], length[0]) if length else None,
            conditions_end=ends_on,
        )
        caution = cells.values.get("proven_by", "").strip().lower() == "caution"
        try:
            validate(ConvictionFacts(proven, False, (facts,), caution))
        except InvalidSentence as error:
            column = "sentence_end_date" if "conditions_end" in error.field else "sentence_type"
            column = "sentence_length" if error.field.endswith("length") else column
            cells.rule(column, cells.values.get(column, ""), error.message)
    return sentence


def _ete(cells: Cells) -> Parsed:
    return {
        "assessed_on": cells.date("assessment_date"),
        "ete_need": cells.yes_no("ete_need"),
        "score": cells.whole_number("score", low=0, high=99),
    }


def _cohort(cells: Cells) -> Parsed:
    name = cells.text("cohort", max_length=80, required=True)
    return {"cohort": " ".join(name.upper().split()), "joined_on": cells.date("date_joined")}


CRN = Column("crn", "The probation case reference number.", "X123456")

SPECS: dict[str, KindSpec] = {
    Kind.ORDERS: KindSpec(
        Kind.ORDERS,
        (
            CRN,
            Column(
                "order_type",
                "Community order, suspended sentence order, licence, "
                "post-sentence supervision, youth rehabilitation order, custodial "
                "sentence, or other.",
                "Community order",
                aliases=("order", "type"),
            ),
            Column(
                "start_date",
                "When the order or licence started.",
                "2024-03-01",
                aliases=("start", "order_start_date", "commenced"),
            ),
            Column(
                "expected_end_date",
                "When it is due to end (may be in the future).",
                "01/03/2025",
                required=False,
                aliases=("expected_end", "due_end_date"),
            ),
            Column(
                "actual_end_date",
                "When it ended; empty while it runs.",
                "",
                required=False,
                aliases=("end_date", "actual_end", "terminated_on"),
            ),
            Column(
                "termination",
                "How it ended: completed, breach, new offence, revoked, "
                "other; empty while it runs.",
                "",
                required=False,
                aliases=("termination_reason", "reason"),
            ),
        ),
        _order,
        key_fields=("order_type", "start_date"),
        value_fields=("expected_end_date", "actual_end_date", "termination"),
    ),
    Kind.OFFENCES: KindSpec(
        Kind.OFFENCES,
        (
            CRN,
            Column(
                "offence_date",
                "When the offence was committed.",
                "2024-06-10",
                aliases=("committed_on", "date_of_offence"),
            ),
            Column(
                "proven_on",
                "The conviction or caution date.",
                "12/08/2024",
                aliases=("conviction_or_caution_date", "conviction_date", "outcome_date"),
            ),
            Column(
                "proven_by",
                "conviction or caution.",
                "conviction",
                aliases=("outcome", "conviction_or_caution"),
            ),
            Column(
                "offence_category",
                "The Ministry of Justice offence group, by name or code (see below).",
                "Theft offences",
                aliases=("category", "offence_group"),
            ),
            Column(
                "disposal",
                "The sentence or disposal, as recorded.",
                "Fine",
                required=False,
                aliases=("sentence",),
            ),
            Column(
                "sentence_type",
                "For when it is spent: the sentence type (docs/disclosure.md), by code or name.",
                "fine",
                required=False,
                aliases=("rehabilitation_sentence",),
            ),
            Column(
                "sentence_length",
                "Its length: 30 days, 12 weeks, 6 months, 2 years.",
                "",
                required=False,
            ),
            Column(
                "sentence_end_date",
                "When the order or conditions end, or compensation was paid.",
                "",
                required=False,
            ),
            Column("schedule_18", "yes for a Schedule 18 offence.", "", required=False),
            Column("endorsement", "yes for a motoring endorsement.", "", required=False),
        ),
        _offence,
        key_fields=("committed_on", "category", "proven_on"),
        value_fields=("proven_by", "disposal"),
        extra_fields=("sentence",),
    ),
    Kind.ETE_NEED: KindSpec(
        Kind.ETE_NEED,
        (
            CRN,
            Column(
                "assessment_date",
                "The date of the OASys assessment.",
                "2024-02-01",
                aliases=("assessed_on", "oasys_date"),
            ),
            Column("ete_need", "yes or no.", "yes", aliases=("need", "ete_need_yes_no")),
            Column(
                "score",
                "The ETE section score: a whole number, 0 to 99; may be empty.",
                "6",
                required=False,
                aliases=("ete_score",),
            ),
        ),
        _ete,
        key_fields=("assessed_on",),
        value_fields=("ete_need", "score"),
    ),
    Kind.COHORT: KindSpec(
        Kind.COHORT,
        (
            CRN,
            Column(
                "cohort", "The cohort's name (IOM, for example).", "IOM", aliases=("cohort_name",)
            ),
            Column(
                "date_joined",
                "When the person joined the cohort.",
                "2023-11-20",
                aliases=("joined_on", "joined", "start_date"),
            ),
        ),
        _cohort,
        key_fields=("cohort", "joined_on"),
        value_fields=(),
    ),
}


def header_map(
    spec: KindSpec, header: list[str]
) -> tuple[dict[str, int], list[RowError], list[str]]:
    """Which position each known column is at, the header's errors (a required column
    missing, a column given twice), and the columns ignored (not known for this kind)."""
    from pathways.imports.reading import normalise_header

    names: dict[str, str] = {}
    for column in spec.columns:
        names[column.name] = column.name
        for alias in column.aliases:
            names[alias] = column.name
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    ignored: list[str] = []
    for index, title in enumerate(header):
        known = names.get(normalise_header(title))
        if known is None:
            if title.strip():
                ignored.append(title.strip())
        elif known in positions:
            errors.append(RowError(1, known, title, "each column once (this one is repeated)"))
        else:
            positions[known] = index
    for column in spec.columns:
        if column.required and column.name not in positions:
            errors.append(RowError(1, column.name, "", f"a column headed '{column.name}'"))
    return positions, errors, ignored
