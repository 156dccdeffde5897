"""What a criminal record check shows an employer: the DBS levels and the filtering rules.

A basic check shows unspent convictions and cautions only (ROA s.4; Police Act 1997 s.112).
Standard and enhanced checks also show spent ones, except those the filtering rules remove
(Police Act 1997 s.113A(6) and s.113B(9), the "protected" convictions and cautions, as
amended by the Police Act 1997 (Criminal Record Certificates: Relevant Matters) (Amendment)
(England and Wales) Order 2020, in force 28 November 2020: youth cautions, warnings and
reprimands no longer disclosed, and the multiple conviction rule removed). DBS, "Filtering
rules for criminal record check certificates" (guidance). An unspent conviction is always
shown. An enhanced check may also carry other information the police think relevant: not
modelled here (docs/disclosure.md).

FILTERING: one row per kind of record, read as "a spent <record> is removed from standard and
enhanced checks once <years> have passed since the date, unless <kept when>".
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from .calculator import Conviction, Spent, add_months
from .rules import CUSTODIAL_TYPES


class CheckLevel(enum.StrEnum):
    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"


SHOWS_SPENT = frozenset({CheckLevel.STANDARD, CheckLevel.ENHANCED})


@dataclass(frozen=True)
class FilterRule:
    record: str
    months: int | None  # None: removed at once (once spent)
    kept_when_specified_offence: bool
    kept_when_custodial: bool
    source: str


FILTERING: dict[str, FilterRule] = {
    r.record: r
    for r in (
        # A conviction at 18 or over: 11 years, unless a specified (listed) offence or a
        # custodial sentence (suspended included).
        FilterRule("adult_conviction", 132, True, True, "Police Act 1997 s.113A(6)(c)"),
        # A conviction under 18: 5 years 6 months, on the same terms.
        FilterRule("youth_conviction", 66, True, True, "Police Act 1997 s.113A(6)(c)"),
        # An adult caution: 6 years, unless a specified offence.
        FilterRule("adult_caution", 72, True, False, "Police Act 1997 s.113A(6)(a)"),
        # A youth caution, warning or reprimand: never shown (2020 Order, art. 2).
        FilterRule("youth_caution", None, False, False, "2020 Order art. 2(2)"),
    )
}  # fmt: skip


def _record_kind(conviction: Conviction) -> str:
    age = "youth" if conviction.under_18 else "adult"
    return f"{age}_{'caution' if conviction.is_caution else 'conviction'}"


def is_spent(spent: Spent, today: dt.date) -> bool:
    return isinstance(spent, dt.date) and spent <= today


def filtered_from(conviction: Conviction, *, specified_offence: bool) -> dt.date | None:
    """From when the filtering rules remove this record (once spent) from standard and
    enhanced checks; None: never removed."""
    rule = FILTERING[_record_kind(conviction)]
    if rule.kept_when_specified_offence and specified_offence:
        return None
    if rule.kept_when_custodial and any(s.type in CUSTODIAL_TYPES for s in conviction.sentences):
        return None
    if rule.months is None:
        return conviction.date
    return add_months(conviction.date, rule.months)


def filtered(conviction: Conviction, *, specified_offence: bool, today: dt.date) -> bool:
    """Whether the filtering rules remove this (spent) record from standard and enhanced."""
    since = filtered_from(conviction, specified_offence=specified_offence)
    return since is not None and since <= today


def shown(level: CheckLevel, spent: Spent, filtered_since: dt.date | None, today: dt.date) -> bool:
    """The rule of the two tables, from a record's first spent day and filtered_from."""
    if level is CheckLevel.NONE:
        return False
    if not is_spent(spent, today):
        return True
    if level not in SHOWS_SPENT:
        return False
    return filtered_since is None or filtered_since > today


def shown_on_check(
    conviction: Conviction,
    spent: Spent,
    level: CheckLevel,
    *,
    specified_offence: bool,
    today: dt.date,
) -> bool:
    """Whether a check of this level, made today, shows the conviction or caution."""
    since = filtered_from(conviction, specified_offence=specified_offence)
    return shown(level, spent, since, today)
