"""Worked cases: each input, the first day spent the rules give, and where the answer comes from.

Sources named in each case (docs/disclosure.md lists them in full):
- "ROA s.5(2) <row>": the Table of the Rehabilitation of Offenders Act 1974 s.5(2) as amended
  by the Police, Crime, Sentencing and Courts Act 2022 s.193 (from 28 October 2023).
- "checker <Calculator>": the Ministry of Justice disclosure checker's calculator of that name
  (github.com/ministryofjustice/disclosure-checker, app/services/calculators), whose date
  arithmetic these cases follow (custody: conviction date + length - 1 day + buffer).
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from pathways.rehabilitation.calculator import spent_dates
from pathways.rehabilitation.parsing import format_spent, parse_convictions
from pathways.rehabilitation.rules import SENTENCE_TYPES

D = "2020-01-01"


def c(*sentences: dict[str, Any], date: str = D, youth: bool = False, **kw: Any) -> dict:
    return {"date": date, "under_18": youth, "sentences": list(sentences), **kw}


def s(kind: str, **kw: Any) -> dict:
    return {"type": kind, **kw}


def m(n: int) -> dict:
    return {"months": n}


def y(n: int) -> dict:
    return {"years": n}


# (name, source, convictions, expected)
CASES: list[tuple[str, str, list[dict], list[str]]] = [
    # --- custody, by band and age ---
    ("custody 6 months, adult", "ROA s.5(2) custody 1 year or less: 1 year; checker Prison",
     [c(s("custody", length=m(6)))], ["2021-06-30"]),
    ("custody 6 months, under 18", "ROA s.5(2) 1 year or less: 6 months; checker Detention",
     [c(s("custody", length=m(6)), youth=True)], ["2020-12-30"]),
    ("custody exactly 12 months, adult", "ROA s.5(2) custody 1 year or less",
     [c(s("custody", length=y(1)))], ["2021-12-31"]),
    ("custody 13 months, adult", "ROA s.5(2) custody over 1 up to 4 years: 4 years",
     [c(s("custody", length=m(13)))], ["2025-01-31"]),
    ("custody 2 years, under 18", "ROA s.5(2) custody over 1 up to 4 years: 2 years",
     [c(s("custody", length=y(2)), youth=True)], ["2023-12-31"]),
    ("custody exactly 4 years, adult", "ROA s.5(2) custody up to 4 years: 4 years",
     [c(s("custody", length=y(4)))], ["2027-12-31"]),
    ("custody 5 years, not Schedule 18, adult", "ROA s.5(2) over 4 years: 7 years (PCSCA)",
     [c(s("custody", length=y(5)))], ["2031-12-31"]),
    ("custody 5 years, Schedule 18", "ROA s.5(1)(b) as substituted by PCSCA s.193(3)",
     [c(s("custody", length=y(5), schedule_18=True))], ["never"]),
    ("custody 4 years, Schedule 18 (not over 4)", "ROA s.5(1)(b): only terms over 4 years",
     [c(s("custody", length=y(4), schedule_18=True))], ["2027-12-31"]),
    ("custody 5 years, under 18, not Schedule 18", "ROA s.5(2) over 4 years: 42 months",
     [c(s("custody", length=y(5)), youth=True)], ["2028-06-30"]),
    ("custody 30 days, under 18", "ROA s.5(2) custody 1 year or less: 6 months",
     [c(s("custody", length={"days": 30}), youth=True)], ["2020-07-30"]),
    ("detention 6 years, Schedule 18, under 18", "ROA s.5(1)(b)(vi)",
     [c(s("detention", length=y(6), schedule_18=True), youth=True)], ["never"]),
    ("detention 18 months, under 18", "ROA s.5(2) over 1 up to 4 years: 2 years",
     [c(s("detention", length=m(18)), youth=True)], ["2023-06-30"]),
    ("detention and training order 4 months", "ROA s.5(2) 1 year or less; checker DTO",
     [c(s("detention_and_training_order", length=m(4)), youth=True)], ["2020-10-30"]),
    ("detention and training order 24 months", "ROA s.5(2) over 1 up to 4 years: 2 years",
     [c(s("detention_and_training_order", length=m(24)), youth=True)], ["2023-12-31"]),
    ("suspended custody 12 months, adult", "ROA s.5(2) 1 year or less; checker SuspendedPrison",
     [c(s("suspended_custody", length=y(1)))], ["2021-12-31"]),
    ("suspended custody 20 weeks, adult", "ROA s.5(2) 1 year or less; checker SuspendedPrison",
     [c(s("suspended_custody", length={"weeks": 20}))], ["2021-05-19"]),
    # --- community orders and other orders ---
    ("community order 12 months", "ROA s.5(2) community order: last day of the order (PCSCA)",
     [c(s("community_order", length=m(12)))], ["2021-01-01"]),
    ("community order, no length", "ROA s.5(3): 24 months from conviction",
     [c(s("community_order"))], ["2022-01-01"]),
    ("youth rehabilitation order 1 year", "ROA s.5(2) YRO: last day of the order (PCSCA)",
     [c(s("youth_rehabilitation_order", length=y(1)), youth=True)], ["2021-01-01"]),
    ("referral order 6 months", "ROA s.5(8) relevant order; checker PlusZeroMonths",
     [c(s("referral_order", length=m(6)), youth=True)], ["2020-07-01"]),
    ("conditional discharge 2 years", "ROA s.5(8) relevant order; checker PlusZeroMonths",
     [c(s("conditional_discharge", length=y(2)))], ["2022-01-01"]),
    ("bind over 12 months", "ROA s.5(8) relevant order; checker PlusZeroMonths",
     [c(s("bind_over", length=m(12)))], ["2021-01-01"]),
    ("hospital order, no end date", "ROA s.5(3): 24 months",
     [c(s("hospital_order"))], ["2022-01-01"]),
    ("hospital order until further order", "checker AdditionCalculator (indefinite)",
     [c(s("hospital_order", until_further_order=True))], ["indefinite"]),
    ("restraining order 3 years", "ROA s.5(8) relevant order",
     [c(s("restraining_order", length=y(3)))], ["2023-01-01"]),
    ("restraining order until further order", "checker AdditionCalculator (indefinite)",
     [c(s("restraining_order", until_further_order=True))], ["indefinite"]),
    ("restraining order ending on a given date", "ROA s.5(2) relevant order: its last day",
     [c(s("restraining_order", conditions_end="2021-03-15"))], ["2021-03-15"]),
    ("football banning order 6 years", "ROA s.5(8) relevant order",
     [c(s("football_banning_order", length=y(6)))], ["2026-01-01"]),
    ("sexual harm prevention order 5 years, under 18", "ROA s.5(8) relevant order (no halving)",
     [c(s("sexual_harm_prevention_order", length=y(5)), youth=True)], ["2025-01-01"]),
    ("sexual harm prevention order until further order", "checker (indefinite)",
     [c(s("sexual_harm_prevention_order", until_further_order=True))], ["indefinite"]),
    # --- fines, compensation, discharges ---
    ("fine, adult", "ROA s.5(2) fine: 12 months", [c(s("fine"))], ["2021-01-01"]),
    ("fine, under 18", "ROA s.5(2) fine: 6 months", [c(s("fine"), youth=True)], ["2020-07-01"]),
    ("compensation order paid", "ROA s.5(2) compensation order: paid in full",
     [c(s("compensation_order", conditions_end="2020-09-15"))], ["2020-09-15"]),
    ("compensation order not yet paid", "ROA s.5(2) compensation order",
     [c(s("compensation_order"))], ["indefinite"]),
    ("absolute discharge", "ROA s.5(4)(a): no rehabilitation period",
     [c(s("absolute_discharge"))], ["2020-01-01"]),
    # --- motoring ---
    ("motoring fine with endorsement, adult", "MoJ guidance: 5 years; checker MotoringFine",
     [c(s("motoring_fine", endorsement=True))], ["2025-01-01"]),
    ("motoring fine with endorsement, under 18", "MoJ guidance motoring: 30 months",
     [c(s("motoring_fine", endorsement=True), youth=True)], ["2022-07-01"]),
    ("motoring fine without endorsement, adult", "ROA s.5(2) fine; checker MotoringFine",
     [c(s("motoring_fine"))], ["2021-01-01"]),
    ("penalty points, adult, no endorsement", "checker PenaltyPoints: 3 years",
     [c(s("penalty_points"))], ["2023-01-01"]),
    ("penalty points with endorsement, adult", "checker PenaltyPoints: 5 years",
     [c(s("penalty_points", endorsement=True))], ["2025-01-01"]),
    ("penalty points with endorsement, under 18", "checker Youth::PenaltyPoints: 3 years",
     [c(s("penalty_points", endorsement=True), youth=True)], ["2023-01-01"]),
    ("disqualification 18 months", "ROA s.5(8) relevant order; checker Disqualification",
     [c(s("disqualification", length=m(18)))], ["2021-07-01"]),
    ("disqualification 7 years with endorsement", "checker Disqualification: the ban's end",
     [c(s("disqualification", length=y(7), endorsement=True))], ["2027-01-01"]),
    ("disqualification 2 years with endorsement", "checker Motoring Disqualification: 5 years",
     [c(s("disqualification", length=y(2), endorsement=True))], ["2025-01-01"]),
    # --- cautions ---
    ("simple caution", "ROA Sch 2 para 1(1)(a): spent at once",
     [c(s("simple_caution"), caution=True)], ["2020-01-01"]),
    ("youth caution", "ROA Sch 2 para 1(1)(a)",
     [c(s("youth_caution"), youth=True, caution=True)], ["2020-01-01"]),
    ("conditional caution, conditions end in 6 weeks", "ROA Sch 2 para 1(1)(b); checker Caution",
     [c(s("conditional_caution", conditions_end="2020-02-15"), caution=True)], ["2020-02-15"]),
    ("conditional caution, conditions run 5 months", "ROA Sch 2 para 1(2): at most 3 months",
     [c(s("conditional_caution", conditions_end="2020-06-01"), caution=True)], ["2020-04-01"]),
    ("youth conditional caution, no end given", "ROA Sch 2 para 1(2): 3 months",
     [c(s("youth_conditional_caution"), youth=True)], ["2020-04-01"]),
    # --- several sentences for one conviction ---
    ("custody, fine and disqualification together", "checker Proceedings: the latest date",
     [c(s("custody", length=m(6)), s("fine"), s("disqualification", length=y(3)))],
     ["2023-01-01"]),
    # --- chains of convictions (ROA s.6(4)) ---
    ("second fine inside the first's period", "ROA s.6(4): both end with the later",
     [c(s("fine")), c(s("fine"), date="2020-06-01")], ["2021-06-01", "2021-06-01"]),
    ("second fine on the first's spent day", "ROA s.6(4): not during the period",
     [c(s("fine")), c(s("fine"), date="2021-01-01")], ["2021-01-01", "2022-01-01"]),
    ("later fine inside custody's period", "ROA s.6(4): the earlier-ending one is extended",
     [c(s("custody", length=m(6))), c(s("fine"), date="2020-03-01")],
     ["2021-06-30", "2021-06-30"]),
    ("chain of three", "ROA s.6(4) applied to extended periods",
     [c(s("fine")), c(s("community_order", length=m(12)), date="2020-12-01"),
      c(s("fine"), date="2021-11-01")], ["2022-11-01", "2022-11-01", "2022-11-01"]),
    ("given latest first, same chain", "ROA s.6(4); the result keeps the input order",
     [c(s("fine"), date="2021-11-01"), c(s("community_order", length=m(12)), date="2020-12-01"),
      c(s("fine"))], ["2022-11-01", "2022-11-01", "2022-11-01"]),
    ("a later disqualification does not drag", "ROA s.6(5)",
     [c(s("fine")), c(s("disqualification", length=y(3)), date="2020-06-01")],
     ["2021-01-01", "2023-06-01"]),
    ("a fine inside a restraining order's period is not dragged", "ROA s.6(5)",
     [c(s("fine"), s("restraining_order", length=y(5))), c(s("fine"), date="2021-06-01")],
     ["2025-01-01", "2022-06-01"]),
    ("a caution does not drag a conviction", "ROA Sch 2: a caution is not a conviction",
     [c(s("fine")), c(s("conditional_caution"), date="2020-03-01", caution=True)],
     ["2021-01-01", "2020-06-01"]),
    ("a later never-spent sentence does not extend the earlier", "ROA s.6(4)(b)",
     [c(s("fine")), c(s("custody", length=y(5), schedule_18=True), date="2020-06-01")],
     ["2021-01-01", "never"]),
    ("an unpaid compensation order keeps an earlier fine unspent", "ROA s.6(4)",
     [c(s("fine")), c(s("compensation_order"), date="2020-06-01")],
     ["indefinite", "indefinite"]),
    ("youth fine then adult custody", "ROA s.6(4); s.5(2) by age at each conviction",
     [c(s("fine"), date="2019-01-01", youth=True),
      c(s("custody", length=m(6)), date="2019-05-01")], ["2020-10-31", "2020-10-31"]),
    ("an absolute discharge has no period to fall inside", "ROA s.5(4)(a), s.6(4)",
     [c(s("absolute_discharge")), c(s("fine"), date="2020-01-02")],
     ["2020-01-01", "2021-01-02"]),
    ("an absolute discharge the same day as a fine is not extended", "ROA s.5(4)(a), s.6(4)",
     [c(s("fine")), c(s("absolute_discharge"))], ["2021-01-01", "2020-01-01"]),
]  # fmt: skip


def test_there_are_at_least_forty_cases_covering_every_type_and_both_ages() -> None:
    assert len(CASES) >= 40
    used = {
        sentence["type"]
        for _, _, convictions, _ in CASES
        for conviction in convictions
        for sentence in conviction["sentences"]
    }
    assert used == set(SENTENCE_TYPES)
    ages = {conviction["under_18"] for _, _, cs, _ in CASES for conviction in cs}
    assert ages == {True, False}


@pytest.mark.parametrize(
    ("name", "source", "convictions", "expected"), CASES, ids=[x[0] for x in CASES]
)
def test_worked_case(name: str, source: str, convictions: list[dict], expected: list[str]) -> None:
    assert source
    results = spent_dates(parse_convictions({"convictions": convictions}))
    assert [format_spent(r) for r in results] == expected


def test_the_command_prints_the_same_answers_for_every_case(tmp_path) -> None:
    for index, (_, _, convictions, expected) in enumerate(CASES):
        path = tmp_path / f"case{index}.json"
        path.write_text(json.dumps({"convictions": convictions}))
        out = StringIO()
        call_command("spent_dates", str(path), stdout=out)
        assert json.loads(out.getvalue()) == {"spent": expected}
