"""Properties that hold for any record: hypothesis builds the convictions."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.rehabilitation.calculator import (
    INDEFINITE,
    NEVER,
    Conviction,
    Length,
    Sentence,
    Spent,
    add_months,
    spent_dates,
)
from pathways.rehabilitation.rules import CAUTION_TYPES, RULES, Runs

COURT_TYPES = sorted(t for t in RULES if t not in CAUTION_TYPES)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
lengths = st.builds(
    Length,
    st.sampled_from(["years", "months", "weeks", "days"]),
    st.integers(min_value=1, max_value=12),
)


@st.composite
def sentences(draw: st.DrawFn, kind: str, on: dt.date) -> Sentence:
    rule = RULES[kind]
    needs_length = rule.runs is Runs.AFTER_SENTENCE
    return Sentence(
        type=kind,
        length=draw(lengths) if needs_length else draw(st.none() | lengths),
        schedule_18=draw(st.booleans()),
        endorsement=draw(st.booleans()),
        conditions_end=draw(
            st.none() | st.dates(min_value=on, max_value=on + dt.timedelta(days=800))
        ),
        until_further_order=rule.runs is Runs.ORDER_END and draw(st.booleans()),
    )


@st.composite
def convictions(draw: st.DrawFn) -> Conviction:
    on = draw(dates)
    if draw(st.integers(0, 5)) == 0:
        kinds = [draw(st.sampled_from(sorted(CAUTION_TYPES)))]
        caution = True
    else:
        kinds = draw(st.lists(st.sampled_from(COURT_TYPES), min_size=1, max_size=4))
        caution = False
    return Conviction(
        date=on,
        under_18=draw(st.booleans()),
        caution=caution,
        sentences=tuple(draw(sentences(kind, on)) for kind in kinds),
    )


def _rank(spent: Spent) -> tuple[int, dt.date]:
    if spent == NEVER:
        return (2, dt.date.max)
    if spent == INDEFINITE:
        return (1, dt.date.max)
    assert isinstance(spent, dt.date)
    return (0, spent)


@settings(max_examples=300, deadline=None)
@given(st.lists(convictions(), min_size=1, max_size=6))
def test_a_spent_date_is_never_before_the_conviction(record: list[Conviction]) -> None:
    for conviction, spent in zip(record, spent_dates(record), strict=True):
        if isinstance(spent, dt.date):
            assert spent >= conviction.date


@settings(max_examples=300, deadline=None)
@given(st.lists(convictions(), min_size=1, max_size=5), convictions())
def test_a_later_conviction_never_makes_an_earlier_one_spent_sooner(
    record: list[Conviction], later: Conviction
) -> None:
    latest_date = max(c.date for c in record)
    later = Conviction(
        date=max(later.date, latest_date),
        under_18=later.under_18,
        caution=later.caution,
        sentences=tuple(
            Sentence(
                type=s.type,
                length=s.length,
                schedule_18=s.schedule_18,
                endorsement=s.endorsement,
                conditions_end=None,
                until_further_order=s.until_further_order,
            )
            for s in later.sentences
        ),
    )
    before = spent_dates(record)
    after = spent_dates([*record, later])[: len(record)]
    for old, new in zip(before, after, strict=True):
        assert _rank(new) >= _rank(old)


@settings(max_examples=300, deadline=None)
@given(st.lists(convictions(), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_the_order_of_sentences_and_of_convictions_does_not_matter(
    record: list[Conviction], random
) -> None:
    shuffled_sentences = []
    for conviction in record:
        sentences_ = list(conviction.sentences)
        random.shuffle(sentences_)
        shuffled_sentences.append(
            Conviction(conviction.date, conviction.under_18, tuple(sentences_), conviction.caution)
        )
    assert spent_dates(shuffled_sentences) == spent_dates(record)
    order = list(range(len(record)))
    random.shuffle(order)
    reordered = spent_dates([record[i] for i in order])
    expected = spent_dates(record)
    assert [reordered[order.index(i)] for i in range(len(record))] == expected


@given(dates, st.integers(min_value=0, max_value=600))
def test_adding_months_agrees_with_relativedelta(start: dt.date, months: int) -> None:
    assert add_months(start, months) == start + relativedelta(months=months)
