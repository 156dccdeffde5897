"""When each conviction or caution is spent: the rules of rules.py applied to plain data.

``spent_dates(convictions)`` returns, for each conviction in the order given, the first day
it is spent (a ``date``), ``NEVER`` or ``INDEFINITE``. It applies, in this order:

1. each sentence's own period (rules.py);
2. a conviction is spent when its last sentence is: never if any sentence is never spent,
   else indefinite if any is indefinite, else the latest date (so the order of sentences
   does not matter);
3. ROA s.6(4): where a conviction comes during another's rehabilitation period, both periods
   end when the later-ending one does; chains are followed (a third conviction inside the
   extended period extends all three). Not for cautions (they are not convictions: ROA
   Schedule 2), not for a conviction with a sentence excluded from rehabilitation
   (s.6(4)(b); such a conviction has no period either), and only with the periods of
   sentences that drag (s.6(5): disqualifications and prohibitions do not). A period that
   ends the day it begins (an absolute discharge: no period, s.5(4)) takes no part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from .rules import (
    CONDITIONAL_CAUTION_MONTHS,
    CUSTODY_BANDS,
    ENDORSEMENT_MONTHS,
    ORDER_WITHOUT_END_MONTHS,
    RULES,
    SCHEDULE_18_NEVER_OVER_MONTHS,
    SCHEDULE_18_TYPES,
    Runs,
)

NEVER: Final = "never"
INDEFINITE: Final = "indefinite"
Spent = dt.date | Literal["never", "indefinite"]

LENGTH_UNITS = ("years", "months", "weeks", "days")


@dataclass(frozen=True)
class Length:
    unit: str
    n: int

    def after(self, start: dt.date) -> dt.date:
        """start + this length (calendar months and years, as relativedelta adds them)."""
        if self.unit == "years":
            return add_months(start, 12 * self.n)
        if self.unit == "months":
            return add_months(start, self.n)
        return start + dt.timedelta(days=self.n * (7 if self.unit == "weeks" else 1))

    def __str__(self) -> str:
        unit = self.unit if self.n != 1 else self.unit[:-1]
        return f"{self.n} {unit}"


@dataclass(frozen=True)
class Sentence:
    type: str
    length: Length | None = None
    schedule_18: bool = False
    endorsement: bool = False
    conditions_end: dt.date | None = None
    until_further_order: bool = False


@dataclass(frozen=True)
class Conviction:
    date: dt.date
    under_18: bool
    sentences: tuple[Sentence, ...] = field(default_factory=tuple)
    caution: bool = False

    @property
    def is_caution(self) -> bool:
        return self.caution or all(RULES[s.type].caution for s in self.sentences)


class InvalidSentence(ValueError):
    """A sentence the rules cannot place; ``field`` names the input field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# --- one sentence ----------------------------------------------------------------------


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: dt.date, n: int) -> dt.date:
    """d + n calendar months, the day clamped to the month's end (31 Jan + 1 month: 28/29 Feb)."""
    month0 = d.month - 1 + n
    year, month = d.year + month0 // 12, month0 % 12 + 1
    last = _DAYS_IN_MONTH[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return dt.date(year, month, min(d.day, last))


def _custody(conviction: Conviction, sentence: Sentence) -> Spent:
    assert sentence.length is not None  # checked by validate()
    end = sentence.length.after(conviction.date)
    if (
        sentence.schedule_18
        and sentence.type in SCHEDULE_18_TYPES
        and end > add_months(conviction.date, SCHEDULE_18_NEVER_OVER_MONTHS)
    ):
        return NEVER
    for up_to, adult, youth in CUSTODY_BANDS:
        if up_to is None or end <= add_months(conviction.date, up_to):
            buffer = youth if conviction.under_18 else adult
            return add_months(end - dt.timedelta(days=1), buffer)
    raise AssertionError("CUSTODY_BANDS ends with an open band")  # pragma: no cover


def _order_end(conviction: Conviction, sentence: Sentence) -> Spent:
    if sentence.until_further_order:
        return INDEFINITE
    if sentence.conditions_end is not None:
        return sentence.conditions_end
    if sentence.length is not None:
        return sentence.length.after(conviction.date)
    return add_months(conviction.date, ORDER_WITHOUT_END_MONTHS)


def sentence_spent(conviction: Conviction, sentence: Sentence) -> Spent:
    """The first day this one sentence is spent, by its row of rules.RULES."""
    rule = RULES[sentence.type]
    spent: Spent
    if rule.runs is Runs.AFTER_SENTENCE:
        spent = _custody(conviction, sentence)
    elif rule.runs is Runs.ORDER_END:
        spent = _order_end(conviction, sentence)
    elif rule.runs is Runs.FROM_CONVICTION:
        months = rule.under_18_months if conviction.under_18 else rule.adult_months
        assert months is not None
        spent = add_months(conviction.date, months)
    elif rule.runs is Runs.PAYMENT:
        spent = sentence.conditions_end if sentence.conditions_end is not None else INDEFINITE
    elif rule.runs is Runs.AT_ONCE:
        spent = conviction.date
    else:  # Runs.CONDITIONAL_CAUTION
        at_most = add_months(conviction.date, CONDITIONAL_CAUTION_MONTHS)
        ends = sentence.conditions_end
        spent = at_most if ends is None else min(ends, at_most)
    if sentence.endorsement and isinstance(spent, dt.date):
        adult, youth = ENDORSEMENT_MONTHS
        spent = max(spent, add_months(conviction.date, youth if conviction.under_18 else adult))
    return spent


# --- one conviction --------------------------------------------------------------------


def latest(values: Iterable[Spent]) -> Spent | None:
    """Never before indefinite before the latest date; None for no values."""
    values = list(values)
    if not values:
        return None
    if NEVER in values:
        return NEVER
    if INDEFINITE in values:
        return INDEFINITE
    return max(v for v in values if isinstance(v, dt.date))


def conviction_spent(conviction: Conviction) -> Spent:
    """The conviction on its own: spent when its last sentence is (rule 2)."""
    return _periods(conviction)[0]


def _periods(conviction: Conviction) -> tuple[Spent, Spent | None]:
    """The conviction on its own, and the part of its period that s.6(4) extends and is
    extended by (its sentences that drag; None if none does)."""
    each = [(sentence_spent(conviction, s), RULES[s.type].drags) for s in conviction.sentences]
    own = latest(spent for spent, _ in each)
    assert own is not None  # validate() requires a sentence
    return own, latest(spent for spent, drags in each if drags)


# --- several convictions ---------------------------------------------------------------

_OPEN = dt.date.max  # an indefinite period, for comparing ends


def spent_dates(convictions: Sequence[Conviction]) -> list[Spent]:
    """Each conviction's first spent day (or NEVER / INDEFINITE), in the order given."""
    for index, conviction in enumerate(convictions):
        validate(conviction, f"convictions[{index}]")
    periods = [_periods(c) for c in convictions]
    own = [p[0] for p in periods]
    # s.6(4): sweep the convictions that can drag in date order; a conviction dated before
    # the current group's period ends joins the group, whose period ends at the latest end.
    chain = sorted(
        (
            (c.date, i, period)
            for i, c in enumerate(convictions)
            if not c.is_caution
            and own[i] != NEVER
            and (period := periods[i][1]) is not None
            and period != NEVER
            and (period == INDEFINITE or (isinstance(period, dt.date) and period > c.date))
        ),
        key=lambda item: (item[0], item[1]),
    )
    result = list(own)
    group: list[int] = []
    group_end: dt.date | None = None
    for date, index, period in chain:
        end = _OPEN if period == INDEFINITE else period
        assert isinstance(end, dt.date)
        if group_end is not None and date < group_end:
            group.append(index)
            group_end = max(group_end, end)
        else:
            _close(group, group_end, result)
            group, group_end = [index], end
    _close(group, group_end, result)
    return result


def _close(group: list[int], end: dt.date | None, result: list[Spent]) -> None:
    if len(group) < 2 or end is None:
        return
    extended: Spent = INDEFINITE if end == _OPEN else end
    for index in group:
        result[index] = latest([result[index], extended]) or extended


# --- checks ----------------------------------------------------------------------------


def validate(conviction: Conviction, where: str = "conviction") -> None:
    """Refuse what the rules cannot place, naming the field (InvalidSentence)."""
    if not conviction.sentences:
        raise InvalidSentence(f"{where}.sentences", "at least one sentence is needed")
    cautions = [RULES[s.type].caution for s in conviction.sentences]
    if conviction.caution and not all(cautions):
        raise InvalidSentence(
            f"{where}.sentences", "a caution can only have caution types as its sentences"
        )
    if any(cautions) and not all(cautions):
        raise InvalidSentence(
            f"{where}.sentences", "a caution and a court sentence cannot be one conviction"
        )
    for index, sentence in enumerate(conviction.sentences):
        at = f"{where}.sentences[{index}]"
        rule = RULES[sentence.type]
        if rule.runs is Runs.AFTER_SENTENCE and sentence.length is None:
            raise InvalidSentence(f"{at}.length", f"{sentence.type} needs a length")
        if sentence.length is not None and sentence.length.n < 1:
            raise InvalidSentence(f"{at}.length", "must be a whole number of 1 or more")
        if sentence.conditions_end is not None and sentence.conditions_end < conviction.date:
            raise InvalidSentence(f"{at}.conditions_end", "cannot be before the date")
        if sentence.until_further_order and rule.runs is not Runs.ORDER_END:
            raise InvalidSentence(
                f"{at}.until_further_order",
                f"only an order can run until further order, not {sentence.type}",
            )
