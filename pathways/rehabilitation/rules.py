"""The rehabilitation periods, one row per sentence type: check each row against its source.

The law: the Rehabilitation of Offenders Act 1974 ("ROA"), England and Wales, as amended by
the Legal Aid, Sentencing and Punishment of Offenders Act 2012 s.139 ("LASPO") and by the
Police, Crime, Sentencing and Courts Act 2022 s.193 ("PCSCA"), in force from 28 October 2023
and applying to convictions before that date too. The guidance: Ministry of Justice,
"Guidance on the Rehabilitation of Offenders Act 1974" (2023 edition, "MoJ guidance"), and
the Ministry of Justice's disclosure checker (github.com/ministryofjustice/disclosure-checker,
"MoJ checker"), whose calculators this table reproduces where the Act leaves a reading open.
docs/disclosure.md lists every source and every reading taken.

How each kind of period runs (``Runs``), the "first day spent" being the day after the
rehabilitation period ends:

- AFTER_SENTENCE: custodial sentences. The sentence is taken to run from the conviction date
  for its whole length, licence included (the input has no start date), so it is completed
  on the day before conviction date + length; the buffer (``CUSTODY_BANDS``) runs from that
  day: first day spent = conviction date + length - 1 day + buffer (MoJ checker,
  SentenceCalculator).
- FROM_CONVICTION: a fixed period from the conviction date: first day spent = conviction
  date + period.
- ORDER_END: spent the day the order stops having effect: conviction date + length, or the
  end date given; "until further order" is indefinite; an order with neither a length nor an
  end date gets 24 months from conviction (ROA s.5(3)).
- PAYMENT: a compensation order is spent when paid in full (ROA s.5(2) Table); without the
  date of payment it is indefinite.
- AT_ONCE: spent on the day itself (absolute discharge: ROA s.5(4)(a), no rehabilitation
  period; simple and youth cautions: ROA Schedule 2 para 1(1)(a)).
- CONDITIONAL_CAUTION: spent when the conditions end, at most 3 months after the caution
  (ROA Schedule 2 para 1(1)(b) and 1(2)).

``drags``: whether the period counts for ROA s.6(4), a later conviction inside an earlier
one's period keeping both unspent until both would be spent. Orders imposing a
disqualification, disability, prohibition or other penalty do not extend another
conviction's period (ROA s.6(5)); the MoJ checker marks the same types, and the referral
order, "no drag-through".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Runs(enum.Enum):
    AFTER_SENTENCE = "after the sentence ends (licence included)"
    FROM_CONVICTION = "from the conviction date"
    ORDER_END = "when the order ends"
    PAYMENT = "when paid in full"
    AT_ONCE = "at once"
    CONDITIONAL_CAUTION = "when the conditions end, at most 3 months"


@dataclass(frozen=True)
class Rule:
    type: str
    label: str
    runs: Runs
    adult_months: int | None  # FROM_CONVICTION: the period; otherwise unused
    under_18_months: int | None
    drags: bool
    caution: bool
    source: str


# Custodial sentences (ROA s.5(2) Table as substituted by PCSCA s.193(4)): the buffer after
# the sentence ends, by length. (length up to and including, adult months, under 18 months);
# None: any longer sentence. Over 4 years for a Schedule 18 offence is never spent
# (ROA s.5(1)(b) as substituted by PCSCA s.193(3)): SCHEDULE_18_NEVER_OVER_MONTHS.
CUSTODY_BANDS: tuple[tuple[int | None, int, int], ...] = (
    (12, 12, 6),  # 1 year or less: 1 year after / 6 months after
    (48, 48, 24),  # more than 1 year, up to 4 years: 4 years after / 2 years after
    (None, 84, 42),  # more than 4 years: 7 years after / 42 months after
)
SCHEDULE_18_NEVER_OVER_MONTHS = 48

# An order with no last day (ROA s.5(3), as substituted by LASPO s.139(4)).
ORDER_WITHOUT_END_MONTHS = 24

# Conditional cautions: at most 3 months (ROA Schedule 2 para 1(2)).
CONDITIONAL_CAUTION_MONTHS = 3

# A motoring endorsement on any sentence (MoJ guidance, "Motoring offences"; MoJ checker,
# MotoringCalculator): 5 years from conviction, 30 months under 18. It drags (MoJ checker).
ENDORSEMENT_MONTHS = (60, 30)

_S5 = "ROA s.5(2) Table as amended by PCSCA s.193"
_RELEVANT = "ROA s.5(2) Table 'relevant order', s.5(8)"

RULES: dict[str, Rule] = {
    r.type: r
    for r in (
        Rule("custody", "Prison sentence", Runs.AFTER_SENTENCE, None, None, True, False,
             f"{_S5}; ROA s.5(1)(b) (Schedule 18, over 4 years: never)"),
        Rule("suspended_custody", "Suspended prison sentence", Runs.AFTER_SENTENCE, None, None,
             True, False, f"{_S5}; s.5(8) ('custodial sentence'); MoJ checker (SuspendedPrison)"),
        Rule("detention", "Detention (young offender institution, s.250 Sentencing Code)",
             Runs.AFTER_SENTENCE, None, None, True, False,
             f"{_S5}; ROA s.5(1)(b)(vi) (Schedule 18, over 4 years: never)"),
        Rule("detention_and_training_order", "Detention and training order",
             Runs.AFTER_SENTENCE, None, None, True, False,
             f"{_S5}; ROA s.5(8) (custodial sentence)"),
        Rule("community_order", "Community order", Runs.ORDER_END, None, None, True, False,
             f"{_S5} (no buffer after the order since 28 October 2023)"),
        Rule("youth_rehabilitation_order", "Youth rehabilitation order", Runs.ORDER_END,
             None, None, True, False, f"{_S5} (no buffer after the order since 28 October 2023)"),
        Rule("referral_order", "Referral order", Runs.ORDER_END, None, None, False, False,
             f"{_RELEVANT}; MoJ checker (no drag-through)"),
        Rule("fine", "Fine", Runs.FROM_CONVICTION, 12, 6, True, False, f"{_S5} (fine)"),
        Rule("motoring_fine", "Fine for a motoring offence", Runs.FROM_CONVICTION, 12, 6,
             True, False, f"{_S5} (fine); endorsement: MoJ guidance, motoring"),
        Rule("compensation_order", "Compensation order", Runs.PAYMENT, None, None, True,
             False, f"{_S5} (compensation order: when paid in full)"),
        Rule("conditional_discharge", "Conditional discharge", Runs.ORDER_END, None, None,
             True, False, _RELEVANT),
        Rule("absolute_discharge", "Absolute discharge", Runs.AT_ONCE, None, None, True,
             False, "ROA s.5(4)(a) (no rehabilitation period)"),
        Rule("bind_over", "Bind over", Runs.ORDER_END, None, None, True, False, _RELEVANT),
        Rule("hospital_order", "Hospital order (with or without restriction)",
             Runs.ORDER_END, None, None, True, False, _RELEVANT),
        Rule("restraining_order", "Restraining order", Runs.ORDER_END, None, None, False,
             False, f"{_RELEVANT}; ROA s.6(5) (a prohibition: no drag)"),
        Rule("disqualification", "Disqualification (driving or other)", Runs.ORDER_END,
             None, None, False, False, f"{_RELEVANT}; ROA s.6(5) (no drag)"),
        Rule("penalty_points", "Penalty points", Runs.FROM_CONVICTION, 36, 36, True, False,
             "MoJ checker, Motoring PenaltyPoints (3 years; 5 with an endorsement)"),
        Rule("football_banning_order", "Football banning order", Runs.ORDER_END, None, None,
             False, False, f"{_RELEVANT}; ROA s.6(5) (a prohibition: no drag)"),
        Rule("sexual_harm_prevention_order", "Sexual harm prevention order", Runs.ORDER_END,
             None, None, False, False, f"{_RELEVANT}; ROA s.6(5) (a prohibition: no drag)"),
        Rule("simple_caution", "Simple caution", Runs.AT_ONCE, None, None, False, True,
             "ROA Schedule 2 para 1(1)(a)"),
        Rule("youth_caution", "Youth caution", Runs.AT_ONCE, None, None, False, True,
             "ROA Schedule 2 para 1(1)(a)"),
        Rule("conditional_caution", "Conditional caution", Runs.CONDITIONAL_CAUTION, None,
             None, False, True, "ROA Schedule 2 para 1(1)(b), 1(2)"),
        Rule("youth_conditional_caution", "Youth conditional caution",
             Runs.CONDITIONAL_CAUTION, None, None, False, True,
             "ROA Schedule 2 para 1(1)(b), 1(2)"),
    )
}  # fmt: skip

SENTENCE_TYPES: tuple[str, ...] = tuple(RULES)
CUSTODIAL_TYPES = frozenset(t for t, r in RULES.items() if r.runs is Runs.AFTER_SENTENCE)
CAUTION_TYPES = frozenset(t for t, r in RULES.items() if r.caution)
# Sentences for which ROA s.5(1)(b) can apply (a term over 4 years for a Schedule 18 offence).
SCHEDULE_18_TYPES = frozenset({"custody", "detention"})
