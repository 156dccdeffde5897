"""How long the Rehabilitation of Offenders Act calculator takes for many people.

Builds --people records of --convictions convictions each (random sentence types, lengths,
ages and dates, a fixed seed), then times ``spent_dates`` over all of them, one person at a
time, as the median of --runs runs. Pure Python: no database, no Django setup.

    .venv/bin/python bench/spent_dates_at_scale.py [--people 100000] [--convictions 5] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pathways.rehabilitation.calculator import Conviction, Length, Sentence, spent_dates
from pathways.rehabilitation.rules import CAUTION_TYPES, RULES, Runs

COURT = sorted(t for t in RULES if t not in CAUTION_TYPES)
CAUTIONS = sorted(CAUTION_TYPES)


def person(rng: random.Random, n: int) -> list[Conviction]:
    convictions = []
    day = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(8000))
    for _ in range(n):
        day += dt.timedelta(days=rng.randrange(1, 900))
        if rng.random() < 0.15:
            kinds, caution = [rng.choice(CAUTIONS)], True
        else:
            kinds, caution = rng.sample(COURT, rng.randint(1, 3)), False
        sentences = []
        for kind in kinds:
            runs = RULES[kind].runs
            length = None
            if runs is Runs.AFTER_SENTENCE or (runs is Runs.ORDER_END and rng.random() < 0.8):
                length = Length(rng.choice(["months", "weeks", "years"]), rng.randint(1, 24))
            sentences.append(
                Sentence(
                    kind,
                    length=length,
                    schedule_18=rng.random() < 0.05,
                    endorsement=rng.random() < 0.1,
                    until_further_order=runs is Runs.ORDER_END and rng.random() < 0.03,
                )
            )
        convictions.append(Conviction(day, rng.random() < 0.2, tuple(sentences), caution))
    return convictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--convictions", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(16)  # noqa: S311 (a fixed seed for repeatable records)
    people = [person(rng, args.convictions) for _ in range(args.people)]
    timings, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        for record in people:
            spent_dates(record)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    median = statistics.median(timings)
    print(
        f"{args.people} people x {args.convictions} convictions: median {median:.2f} s wall, "
        f"{statistics.median(cpu):.2f} s CPU, over {args.runs} runs "
        f"({median / args.people * 1e6:.1f} us a person)"
    )


if __name__ == "__main__":
    main()
