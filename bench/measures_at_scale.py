"""How long every measure takes for a half-year of a large service (PostgreSQL), against
hand-written SQL for the same figures (the floor).

Builds one service with --participants people over three contract years (May 2022 to
April 2025) in a database of its own: referrals with their decisions, starts and ends
(second episodes for some), employers and opportunities of each kind, placements with
decisions, starts, completions and early ends, sustainment checks for job starts,
distance-travelled readings (intake, review, sometimes exit) with a score per area, plans
with goals (some achieved, some withdrawn), orders (some completed, some breached),
custodial sentences for some (support starting on ROTL: released after the start, some
after the half-year, some not yet) and proven offences. Every row is made in SQL.

Then times, as the median of --runs runs, ``measures_for_period`` for the half-year
November 2023 to April 2024 as at 30 November 2025 (the whole registry), with
PostgreSQL's JIT on (the server's setting) and off, one hand-written SQL statement giving
the same figures (the same two ways), and each measure's ``compute`` alone. The hand
SQL follows the written definitions (docs/measures.md); its figures are checked against
the registry's (value, numerator, denominator) and any difference is printed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/measures_at_scale.py [--participants 50000] [--runs 5]

The database ``pathways_bench_measures`` is dropped and made anew.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "pathways_bench_measures"
DATA_START = datetime.date(2022, 5, 1)
DATA_END = datetime.date(2025, 4, 30)  # three contract years
# As at a day when every 18-month reoffending window of the half-year has closed.
AS_OF = datetime.date(2025, 11, 30)
PERIOD_DAY = datetime.date(2023, 11, 1)  # the half-year November 2023 to April 2024
CAPACITY = 20000
EMPLOYERS_PER_1000 = 6
OPPORTUNITIES_PER_1000 = 120

TABLES = (
    "participants_participant",
    "referrals_referral",
    "employers_employer",
    "employers_opportunity",
    "placements_placement",
    "placements_sustainmentcheck",
    "plans_reading",
    "plans_readingscore",
    "plans_goal",
    "outcomes_order",
    "outcomes_provenoffence",
)


def _bench_database_url() -> str:
    import psycopg

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return admin_url.rsplit("/", 1)[0] + "/" + DATABASE


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _bench_database_url()
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------- the data, in SQL

# Episodes from a source of (pid, recv, patch): decisions, starts and ends follow from
# random draws; any fact after the end of the data is left out (with the facts after it).
EPISODES_SQL = """
WITH src AS ({source}),
d AS (
  SELECT pid, recv, patch, random() AS u_dec, random() AS u_wait, random() AS u_start,
         random() AS u_len, random() AS u_reason, random() AS u_type
  FROM src
),
f AS (
  SELECT d.*,
         CASE WHEN u_dec < 0.07 OR (u_dec < 0.10 AND recv < %(data_end)s - interval '14 days')
              THEN recv + make_interval(hours => 20 + (u_wait * 100)::int) END AS declined_raw,
         CASE WHEN u_dec >= 0.10 THEN recv + make_interval(hours => 4 + (u_wait * 160)::int)
              END AS accepted_raw
  FROM d
),
g AS (
  SELECT f.*,
         CASE WHEN accepted_raw IS NOT NULL AND u_start < 0.9
              THEN accepted_raw + make_interval(hours => (u_start / 0.9 * 24 * 50)::int)
              END AS started_raw
  FROM f
),
h AS (
  SELECT g.*,
         CASE WHEN started_raw IS NOT NULL
              THEN started_raw + make_interval(days => 21 + (u_len * u_len * 340)::int,
                                               hours => (u_wait * 8)::int)
              WHEN accepted_raw IS NOT NULL
              THEN accepted_raw + make_interval(days => 60 + (u_len * 60)::int)
              END AS ended_raw,
         CASE WHEN started_raw IS NULL THEN CASE WHEN u_reason < 0.5 THEN 'moved-away'
                                                 ELSE 'end-other' END
              WHEN u_reason < 0.15 THEN 'sustained-work'
              WHEN u_reason < 0.25 THEN 'education-training'
              WHEN u_reason < 0.40 THEN 'goals-met'
              WHEN u_reason < 0.60 THEN 'disengaged'
              WHEN u_reason < 0.68 THEN 'declined-support'
              WHEN u_reason < 0.76 THEN 'moved-away'
              WHEN u_reason < 0.84 THEN 'custody'
              WHEN u_reason < 0.90 THEN 'order-ended'
              WHEN u_reason < 0.94 THEN 'ill-health'
              WHEN u_reason < 0.95 THEN 'died'
              ELSE 'end-other' END AS reason_code
  FROM g
),
k AS (
  SELECT h.*,
         CASE WHEN declined_raw < %(data_end)s THEN declined_raw END AS declined,
         CASE WHEN accepted_raw < %(data_end)s THEN accepted_raw END AS accepted,
         CASE WHEN accepted_raw < %(data_end)s AND started_raw < %(data_end)s
              THEN started_raw END AS started,
         CASE WHEN accepted_raw < %(data_end)s AND ended_raw < %(data_end)s
              AND (started_raw IS NULL OR started_raw < %(data_end)s)
              THEN ended_raw END AS ended
  FROM h
)
INSERT INTO referrals_referral
  (service_id, participant_id, patch_id, referred_by_id, source, cohort, order_type,
   prison_name, reason, ete_needs, risk_information, risk_flags, accessibility_needs,
   interpreter_language, consent_given, consent_date, received_at, accepted_at, accepted_by_id,
   declined_at, declined_by_id, started_at, worker_id, allocated_at, ended_at, ended_by_id,
   end_reason_id, override_reason, decline_note, end_note, closing_summary, order_ended_reason,
   held_matches, hold_resolution, hold_reason, proposed_changes)
SELECT %(service)s, pid, patch, %(referrer)s,
       CASE WHEN u_type < 0.8 THEN 'probation' WHEN u_type < 0.9 THEN 'yos' ELSE 'prison' END,
       CASE WHEN u_type < 0.6 THEN 'iom' WHEN u_type < 0.9 THEN 'other' ELSE 'rotl' END,
       CASE WHEN u_type < 0.45 THEN 'community_order'
            WHEN u_type < 0.65 THEN 'suspended_sentence'
            WHEN u_type < 0.80 THEN 'licence'
            WHEN u_type < 0.85 THEN 'youth_rehabilitation'
            WHEN u_type < 0.90 THEN 'post_sentence'
            ELSE 'custodial' END,
       '', 'Bench', 'Bench', '', '[]', '', '', true, recv::date, recv,
       accepted, CASE WHEN accepted IS NOT NULL THEN %(manager)s END,
       declined, CASE WHEN declined IS NOT NULL THEN %(manager)s END,
       started,
       CASE WHEN started IS NOT NULL THEN
            CASE WHEN patch = %(north)s THEN %(worker_north)s ELSE %(worker_south)s END END,
       started,
       ended, CASE WHEN ended IS NOT NULL THEN %(manager)s END,
       CASE WHEN ended IS NOT NULL
            THEN (SELECT id FROM referrals_endreason WHERE code = reason_code) END,
       '', '', '', CASE WHEN ended IS NOT NULL THEN 'Bench' ELSE '' END, '', '[]', '', '', '{{}}'
FROM k
"""

FIRST_EPISODES = """
SELECT p.id AS pid, p.created_at AS recv, a.patch_id AS patch
FROM participants_participant p JOIN accounts_area a ON a.id = p.area_id
"""

# Some people are referred again after support ends (some soon after disengaging).
SECOND_EPISODES = """
SELECT participant_id AS pid, recv, patch_id AS patch
FROM (SELECT participant_id, patch_id,
             ended_at + make_interval(days => 14 + (random() * 186)::int) AS recv,
             random() AS u
      FROM referrals_referral WHERE started_at IS NOT NULL AND ended_at IS NOT NULL) AS e
WHERE u < 0.2 AND recv < %(data_end)s
"""

PARTICIPANTS_SQL = """
INSERT INTO participants_participant
  (first_name, last_name, date_of_birth, crn, pnc_id, prison_number, gender, phone, email,
   address, area_id, location, created_at, created_by_id,
   processing_restricted_reason)
SELECT 'Person' || g, 'Surname' || (g %% 997), date '1960-01-01' + (g * 7919 %% 16000),
       chr(65 + g / 1000000) || lpad((g %% 1000000)::text, 6, '0'), '', '',
       CASE WHEN g %% 7 = 0 THEN 'woman' ELSE 'man' END, '', '', '',
       CASE WHEN g %% 2 = 0 THEN %(area_north)s ELSE %(area_south)s END, 'community',
       %(data_start)s + make_interval(secs => (g - 1) * %(span)s / %(n)s), %(referrer)s, ''
FROM generate_series(1, %(n)s) AS g
"""

EMPLOYERS_SQL = """
INSERT INTO employers_employer
  (service_id, name, kind, sector_id, patch_id, address, size,
   employs_people_with_convictions, disclosure_practice, owner_id, created_at, created_by_id)
SELECT %(service)s, 'Employer ' || g,
       CASE WHEN g %% 4 = 0 THEN 'training_provider' ELSE 'employer' END,
       (SELECT min(id) FROM employers_sector) + g %% (SELECT count(*) FROM employers_sector),
       CASE WHEN g %% 2 = 0 THEN %(north)s ELSE %(south)s END, '',
       (array['micro', 'small', 'medium', 'large'])[1 + g %% 4], 'unknown', '',
       CASE WHEN g %% 2 = 0 THEN %(worker_north)s ELSE %(worker_south)s END,
       %(data_start)s - make_interval(days => g %% 300), %(manager)s
FROM generate_series(1, %(n)s) AS g
"""

OPPORTUNITIES_SQL = """
INSERT INTO employers_opportunity
  (employer_id, kind, title, sector_id, places_available, patch_id, location, hours, pay,
   dbs_level, exclusion_policy, exclusion_details, created_at, created_by_id)
SELECT e.id,
       CASE WHEN e.kind = 'training_provider' THEN 'training'
            WHEN x.u < 0.2 THEN 'training' WHEN x.u < 0.55 THEN 'work' ELSE 'job' END,
       'Opportunity ' || x.g, e.sector_id, 1 + (x.g %% 5), e.patch_id, 'Bench', '', '', 'none',
       'none', '', x.created_at, e.owner_id
FROM (SELECT g, random() AS u, 1 + (random() * (%(employers)s - 1))::int AS k,
             %(data_start)s + make_interval(secs => random() * %(span)s) AS created_at
      FROM generate_series(1, %(n)s) AS g) AS x
JOIN (SELECT *, row_number() OVER (ORDER BY id) AS k FROM employers_employer) AS e
  ON e.k = x.k
"""

# Started episodes put forward to one to three opportunities of about the time.
PLACEMENTS_SQL = """
WITH opps AS (
  SELECT id, kind, row_number() OVER (ORDER BY created_at, id) AS k
  FROM employers_opportunity
),
tries AS (
  SELECT r.id AS referral_id, r.participant_id, r.worker_id,
         r.started_at + make_interval(days => 7 + t * 25 + (random() * 60)::int,
                                      hours => (random() * 8)::int) AS put_forward_at,
         coalesce(r.ended_at, %(data_end)s) AS until,
         random() AS u_dec, random() AS u_end, random() AS u_pick
  FROM referrals_referral r
  CROSS JOIN LATERAL generate_series(1, 1 + (r.id %% 3)::int) AS t
  WHERE r.started_at IS NOT NULL AND r.id * 7 %% 100 < 45
),
picked AS (
  SELECT tries.*, opps.id AS opportunity_id, opps.kind,
         (put_forward_at AT TIME ZONE %(tz)s)::date AS put_forward_on
  FROM tries
  JOIN opps ON opps.k = greatest(1, least(%(opportunities)s,
       floor(extract(epoch FROM put_forward_at - %(data_start)s) / %(span)s
             * %(opportunities)s)::int - (u_pick * 40)::int))
  WHERE put_forward_at < until
),
raw AS (
  SELECT picked.*,
         CASE WHEN u_dec < 0.6 THEN put_forward_on + 2 + (u_dec * 20)::int END AS acc,
         CASE WHEN u_dec >= 0.6 AND u_dec < 0.8 THEN put_forward_on + 3 END AS decl,
         CASE WHEN u_dec < 0.51 THEN put_forward_on + 5 + (u_dec * 30)::int END AS st,
         CASE WHEN u_end < 0.55 THEN
              CASE kind WHEN 'job' THEN 60 + (u_end * 250)::int
                        ELSE 14 + (u_end * 100)::int END END AS comp_days,
         CASE WHEN u_end >= 0.55 AND u_end < 0.8 THEN 5 + ((u_end - 0.55) * 200)::int
              END AS early_days
  FROM picked
)
INSERT INTO placements_placement
  (referral_id, participant_id, opportunity_id, put_forward_at, put_forward_by_id,
   put_forward_note, accepted_on, declined_on, decision_note, started_on, completed_on,
   ended_early_on, end_reason_id, end_note)
SELECT referral_id, participant_id, opportunity_id, put_forward_at, worker_id, '',
       CASE WHEN acc <= %(data_end_day)s THEN acc END,
       CASE WHEN decl <= %(data_end_day)s THEN decl END, '',
       CASE WHEN acc <= %(data_end_day)s AND st <= %(data_end_day)s THEN st END,
       CASE WHEN acc <= %(data_end_day)s AND st + comp_days <= %(data_end_day)s
            THEN st + comp_days END,
       CASE WHEN acc <= %(data_end_day)s AND st + early_days <= %(data_end_day)s
            THEN st + early_days END,
       CASE WHEN acc <= %(data_end_day)s AND st + early_days <= %(data_end_day)s
            THEN (SELECT min(id) FROM placements_placementendreason)
                 + (referral_id %% (SELECT count(*) FROM placements_placementendreason)) END,
       ''
FROM raw
"""

CHECKS_SQL = """
INSERT INTO placements_sustainmentcheck
  (placement_id, weeks, due_on, checked_on, in_work, checked_by_id, note)
SELECT id, weeks, due_on,
       CASE WHEN checked THEN checked_on END,
       CASE WHEN checked THEN u < CASE WHEN ended_early_on <= due_on THEN 0.3
                                       ELSE 1.0 - weeks / 70.0 END END,
       CASE WHEN checked THEN put_forward_by_id END, ''
FROM (SELECT p.id, p.put_forward_by_id, p.ended_early_on, w.weeks,
             p.started_on + 7 * w.weeks AS due_on,
             p.started_on + 7 * w.weeks + (random() * 10)::int AS checked_on,
             random() AS u, random() AS u_missed
      FROM placements_placement p
      JOIN employers_opportunity o ON o.id = p.opportunity_id AND o.kind = 'job'
      CROSS JOIN (VALUES (4), (13), (26)) AS w (weeks)
      WHERE p.started_on IS NOT NULL) AS c
CROSS JOIN LATERAL (SELECT c.checked_on <= %(data_end_day)s AND c.u_missed < 0.92 AS checked) AS k
"""

# Intake soon after the start, a review about three months in, an exit reading at the end
# for some; each taken only while the episode ran and by the end of the data.
READINGS_SQL = """
WITH episodes AS (
  SELECT r.id, r.worker_id, (r.started_at AT TIME ZONE %(tz)s)::date AS start_day,
         (r.ended_at AT TIME ZONE %(tz)s)::date AS end_day,
         least(coalesce((r.ended_at AT TIME ZONE %(tz)s)::date, %(data_end_day)s),
               %(data_end_day)s) AS until, random() AS u
  FROM referrals_referral r
  WHERE r.started_at IS NOT NULL
),
candidates AS (
  SELECT e.id, e.worker_id, e.until, k.kind,
         CASE k.kind WHEN 'intake' THEN e.start_day + (e.u * 7)::int
                     WHEN 'review' THEN e.start_day + 80 + (e.u * 30)::int
                     ELSE e.end_day END AS taken_on
  FROM episodes e
  CROSS JOIN (VALUES ('intake'), ('review'), ('exit')) AS k (kind)
  WHERE e.u < 0.85 AND (k.kind <> 'exit' OR (e.end_day IS NOT NULL AND e.id %% 5 < 2))
),
readings AS (
  INSERT INTO plans_reading
    (referral_id, instrument_id, taken_on, kind, note, taken_by_id, created_at)
  SELECT id, %(instrument)s, taken_on, kind, '', worker_id,
         (taken_on + time '12:00') AT TIME ZONE %(tz)s
  FROM candidates WHERE taken_on <= until
  ORDER BY id, taken_on
  RETURNING id, referral_id, kind
)
INSERT INTO plans_readingscore (reading_id, area_id, score)
SELECT readings.id, a.id,
       least(10, greatest(1,
         1 + (readings.referral_id * 31 + a.id * 17) %% 6
         + CASE readings.kind WHEN 'intake' THEN 0
                WHEN 'review' THEN (readings.referral_id * 7 + a.id * 13) %% 5 - 2
                ELSE (readings.referral_id * 11 + a.id * 5) %% 5 - 1 END))
FROM readings, plans_instrumentarea a
WHERE a.instrument_id = %(instrument)s
"""

# A plan for every started episode, a few days in, with one to three goals: some achieved
# (measure 4), a few withdrawn, the rest open; nothing dated after the end of the data.
GOALS_SQL = """
WITH plans AS (
  INSERT INTO plans_pathwayplan (referral_id, created_at, created_by_id)
  SELECT r.id, r.started_at + interval '2 days', coalesce(r.worker_id, %(manager)s)
  FROM referrals_referral r
  WHERE r.started_at IS NOT NULL AND r.started_at + interval '2 days' < %(data_end)s
  RETURNING id, created_at, created_by_id
),
g AS (
  SELECT p.id AS plan_id, p.created_at, p.created_by_id, n,
         (p.created_at AT TIME ZONE %(tz)s)::date AS set_on,
         (p.created_at AT TIME ZONE %(tz)s)::date + 10 + (random() * 250)::int AS closed_on,
         random() AS u
  FROM plans p CROSS JOIN generate_series(1, 3) AS s (n)
  WHERE n = 1 OR random() < 0.5
)
INSERT INTO plans_goal
  (plan_id, title, area, target_date, created_at, created_by_id, achieved_on, withdrawn_on,
   withdrawn_reason, closed_by_id)
SELECT plan_id, 'Goal ' || n,
       (array['qualifications', 'work_experience', 'job_search', 'stability', 'basic_skills',
              'other'])[1 + (plan_id + n) %% 6],
       set_on + 90, created_at, created_by_id,
       CASE WHEN u < 0.45 AND closed_on <= %(data_end_day)s THEN closed_on END,
       CASE WHEN u >= 0.45 AND u < 0.55 AND closed_on <= %(data_end_day)s THEN closed_on END,
       CASE WHEN u >= 0.45 AND u < 0.55 AND closed_on <= %(data_end_day)s
            THEN 'No longer wanted' ELSE '' END,
       CASE WHEN u < 0.55 AND closed_on <= %(data_end_day)s THEN created_by_id END
FROM g
"""

# A custodial sentence for some people referred from prison, started long before the
# referral: most released some weeks after it (support then starts on ROTL and the index
# date is the release), some later than the half-year's end, some not released by the end
# of the data.
CUSTODY_SQL = """
WITH people AS (
  SELECT id, (created_at AT TIME ZONE %(tz)s)::date AS referred_on, random() AS u
  FROM participants_participant
),
custody AS (
  SELECT id AS participant_id, referred_on - 400 - (u * 300)::int AS start_day,
         CASE WHEN u < 0.06 THEN referred_on + 5 + (u * 1500)::int
              WHEN u < 0.08 THEN referred_on + 200 + (u * 2000)::int END AS end_raw
  FROM people WHERE u < 0.09
)
INSERT INTO outcomes_order
  (participant_id, order_type, start_date, expected_end_date, actual_end_date, termination,
   source, source_ref, note, recorded_by_id, recorded_at)
SELECT participant_id, 'custodial', start_day, start_day + 900,
       CASE WHEN end_raw <= %(data_end_day)s THEN end_raw END,
       CASE WHEN end_raw <= %(data_end_day)s THEN 'completed' ELSE '' END,
       'hand', '', '', %(manager)s,
       (least(coalesce(end_raw, start_day), %(data_end_day)s) + time '12:00') AT TIME ZONE %(tz)s
FROM custody
"""

# A current order for most people (started before the referral) and an earlier one for
# some; those due to end by the end of the data ended, most completed.
ORDERS_SQL = """
WITH people AS (
  SELECT id, (created_at AT TIME ZONE %(tz)s)::date AS referred_on, random() AS u
  FROM participants_participant
),
orders AS (
  SELECT id AS participant_id, referred_on - (u * 200)::int AS start_day,
         CASE WHEN u < 0.5 THEN 365 ELSE 730 END AS length, random() AS u_type,
         random() AS u_end, random() AS u_source
  FROM people WHERE u < 0.75
  UNION ALL
  SELECT id, referred_on - 500 - (u * 400)::int, 365, random(), random(), random()
  FROM people WHERE u < 0.15
),
ended AS (
  SELECT orders.*,
         CASE WHEN u_end < 0.70 THEN start_day + length
              WHEN u_end < 0.97 THEN start_day + ((u_end - 0.7) / 0.27 * length)::int
              END AS end_raw,
         CASE WHEN u_end < 0.70 THEN 'completed' WHEN u_end < 0.82 THEN 'breach'
              WHEN u_end < 0.90 THEN 'new_offence' WHEN u_end < 0.94 THEN 'revoked'
              ELSE 'other' END AS how
  FROM orders
)
INSERT INTO outcomes_order
  (participant_id, order_type, start_date, expected_end_date, actual_end_date, termination,
   source, source_ref, note, recorded_by_id, recorded_at)
SELECT participant_id,
       CASE WHEN u_type < 0.50 THEN 'community_order' WHEN u_type < 0.70 THEN 'suspended_sentence'
            WHEN u_type < 0.75 THEN 'youth_rehabilitation' WHEN u_type < 0.90 THEN 'licence'
            ELSE 'post_sentence' END,
       start_day, start_day + length,
       CASE WHEN end_raw <= %(data_end_day)s THEN end_raw END,
       CASE WHEN end_raw <= %(data_end_day)s THEN how ELSE '' END,
       CASE WHEN u_source < 0.35 THEN 'import' ELSE 'hand' END,
       CASE WHEN u_source < 0.35 THEN 'extract-2025-05' ELSE '' END, '',
       CASE WHEN u_source < 0.35 THEN NULL ELSE %(manager)s END,
       (least(coalesce(end_raw, start_day), %(data_end_day)s) + time '12:00') AT TIME ZONE %(tz)s
FROM ended
"""

# Offences for a third of people, from a year before the referral to the end of the data,
# proven some weeks or months later (by the day the figures are taken).
OFFENCES_SQL = """
INSERT INTO outcomes_provenoffence
  (participant_id, committed_on, proven_on, proven_by, category, disposal, source,
   source_ref, recorded_by_id, recorded_at)
SELECT id, committed_on, proven_on,
       CASE WHEN u < 0.8 THEN 'conviction' ELSE 'caution' END,
       (array['violence', 'theft', 'drugs', 'public_order', 'criminal_damage',
              'summary_motoring', 'fraud'])[1 + (id + n) %% 7],
       '', CASE WHEN u < 0.4 THEN 'import' ELSE 'hand' END,
       CASE WHEN u < 0.4 THEN 'extract-2025-05' ELSE '' END,
       CASE WHEN u < 0.4 THEN NULL ELSE %(manager)s END,
       (proven_on + time '12:00') AT TIME ZONE %(tz)s
FROM (SELECT id, n, u, committed_on, committed_on + 20 + (random() * 280)::int AS proven_on
      FROM (SELECT p.id, n, random() AS u,
                   (p.created_at AT TIME ZONE %(tz)s)::date - 365
                   + (random() * (%(data_end_day)s
                                  - (p.created_at AT TIME ZONE %(tz)s)::date + 365))::int
                   AS committed_on
            FROM participants_participant p
            CROSS JOIN LATERAL generate_series(1, 1 + p.id %% 3) AS n
            WHERE p.id * 13 %% 100 < 33) AS c) AS o
WHERE proven_on <= %(as_of)s
"""


def _build(participants: int) -> dict[str, float]:
    """One service with ``participants`` people and their records; seconds per step."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from pathways.accounts.models import Area, Patch, Service, User
    from pathways.core.roles import Role
    from pathways.plans.models import Instrument
    from pathways.plans.reference import DEFAULT_INSTRUMENT
    from pathways.plans.services import reading_totals_rebuild

    service = Service.objects.create(name="Bench service", slug="bench", capacity=CAPACITY)
    north = Patch.objects.create(service=service, name="North")
    south = Patch.objects.create(service=service, name="South")
    area_north = Area.objects.create(patch=north, name="Northshire")
    area_south = Area.objects.create(patch=south, name="Southshire")
    referrer = User.objects.create(username="referrer", role=Role.REFERRER, service=service)
    manager = User.objects.create(username="manager", role=Role.MANAGER, service=service)
    worker_north = User.objects.create(
        username="worker-north", role=Role.WORKER, service=service, patch=north
    )
    worker_south = User.objects.create(
        username="worker-south", role=Role.WORKER, service=service, patch=south
    )
    tz = settings.TIME_ZONE
    start = timezone.make_aware(datetime.datetime.combine(DATA_START, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(DATA_END + datetime.timedelta(days=1), datetime.time())
    )
    params: dict[str, Any] = {
        "service": service.pk,
        "north": north.pk,
        "south": south.pk,
        "area_north": area_north.pk,
        "area_south": area_south.pk,
        "referrer": referrer.pk,
        "manager": manager.pk,
        "worker_north": worker_north.pk,
        "worker_south": worker_south.pk,
        "instrument": Instrument.objects.get(name=DEFAULT_INSTRUMENT).pk,
        "tz": tz,
        "data_start": start,
        "data_end": end,
        "data_end_day": DATA_END,
        "as_of": AS_OF,
        "span": (end - start).total_seconds(),
    }
    employers = max(10, participants * EMPLOYERS_PER_1000 // 1000)
    opportunities = max(50, participants * OPPORTUNITIES_PER_1000 // 1000)
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("participants", PARTICIPANTS_SQL, {"n": participants}),
        ("referrals", EPISODES_SQL.format(source=FIRST_EPISODES), {}),
        ("second episodes", EPISODES_SQL.format(source=SECOND_EPISODES), {}),
        ("employers", EMPLOYERS_SQL, {"n": employers}),
        ("opportunities", OPPORTUNITIES_SQL, {"n": opportunities, "employers": employers}),
        ("placements", PLACEMENTS_SQL, {"opportunities": opportunities}),
        ("sustainment checks", CHECKS_SQL, {}),
        ("readings and scores", READINGS_SQL, {}),
        ("plans and goals", GOALS_SQL, {}),
        ("orders", ORDERS_SQL, {}),
        ("custodial sentences", CUSTODY_SQL, {}),
        ("proven offences", OFFENCES_SQL, {}),
        ("analyze", "ANALYZE", {}),
    ]
    seconds = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        for name, sql, extra in steps:
            if name == "analyze":
                # The readings were written around ``reading_record``: their kept totals
                # and spans are worked out as the rebuild command does.
                started = time.perf_counter()
                reading_totals_rebuild()
                seconds["reading totals"] = time.perf_counter() - started
            started = time.perf_counter()
            cursor.execute(sql, {**params, **extra} if sql != "ANALYZE" else None)
            seconds[name] = time.perf_counter() - started
    return seconds


# ---------------------------------------------------------------- the floor: hand SQL

# Every figure in one statement, from the written definitions (docs/measures.md).
# %(t0)s and %(t1)s are the period's local midnights; %(d0)s and %(d1)s its first and last day.
HAND_SQL = """
WITH ref AS (
  SELECT
    count(*) FILTER (WHERE r.received_at >= %(t0)s AND r.received_at < %(t1)s) AS received,
    count(*) FILTER (WHERE r.accepted_at >= %(t0)s AND r.accepted_at < %(t1)s) AS accepted,
    count(*) FILTER (WHERE r.started_at >= %(t0)s AND r.started_at < %(t1)s) AS starts,
    count(DISTINCT r.participant_id) FILTER (
      WHERE r.started_at < %(t1)s AND (r.ended_at IS NULL OR r.ended_at >= %(t1)s)) AS caseload,
    count(*) FILTER (WHERE r.started_at >= %(t0)s AND r.started_at < %(t1)s
                     AND r.accepted_at IS NOT NULL) AS wait_n,
    round(extract(epoch FROM avg(r.started_at - r.accepted_at) FILTER (
      WHERE r.started_at >= %(t0)s AND r.started_at < %(t1)s)) / 86400, 1) AS wait_days,
    count(*) FILTER (WHERE r.ended_at >= %(t0)s AND r.ended_at < %(t1)s
                     AND r.started_at IS NOT NULL) AS ended,
    count(*) FILTER (WHERE r.ended_at >= %(t0)s AND r.ended_at < %(t1)s
                     AND r.started_at IS NOT NULL AND er."group" = 'Disengaged') AS disengaged
  FROM referrals_referral r LEFT JOIN referrals_endreason er ON er.id = r.end_reason_id
  WHERE r.service_id = %(service)s
),
opp AS (
  SELECT count(*) FILTER (WHERE o.kind = 'training') AS training,
         count(*) FILTER (WHERE o.kind IN ('work', 'job')) AS employment
  FROM employers_opportunity o JOIN employers_employer e ON e.id = o.employer_id
  WHERE e.service_id = %(service)s AND o.created_at >= %(t0)s AND o.created_at < %(t1)s
),
pl AS (
  SELECT
    count(DISTINCT p.participant_id) FILTER (
      WHERE p.put_forward_at >= %(t0)s AND p.put_forward_at < %(t1)s) AS put_forward,
    count(DISTINCT p.participant_id) FILTER (
      WHERE p.started_on BETWEEN %(d0)s AND %(d1)s) AS placement_starts,
    count(DISTINCT p.participant_id) FILTER (
      WHERE p.completed_on BETWEEN %(d0)s AND %(d1)s
        AND o.kind IN ('training', 'work')) AS completions,
    count(DISTINCT p.participant_id) FILTER (
      WHERE p.started_on BETWEEN %(d0)s AND %(d1)s AND o.kind = 'job') AS job_starts
  FROM placements_placement p
  JOIN referrals_referral r ON r.id = p.referral_id
  JOIN employers_opportunity o ON o.id = p.opportunity_id
  WHERE r.service_id = %(service)s
    AND (p.put_forward_at >= %(t0)s AND p.put_forward_at < %(t1)s
         OR p.started_on BETWEEN %(d0)s AND %(d1)s
         OR p.completed_on BETWEEN %(d0)s AND %(d1)s)
),
chk AS (
  -- Every check due in the period by the as-at day; in work only if recorded by then.
  SELECT count(*) FILTER (WHERE s.weeks = 4) AS due_4,
         count(*) FILTER (WHERE s.weeks = 4 AND s.in_work AND s.checked_on <= %(as_of)s)
           AS in_work_4,
         count(*) FILTER (WHERE s.weeks = 13) AS due_13,
         count(*) FILTER (WHERE s.weeks = 13 AND s.in_work AND s.checked_on <= %(as_of)s)
           AS in_work_13,
         count(*) FILTER (WHERE s.weeks = 26) AS due_26,
         count(*) FILTER (WHERE s.weeks = 26 AND s.in_work AND s.checked_on <= %(as_of)s)
           AS in_work_26
  FROM placements_sustainmentcheck s
  JOIN placements_placement p ON p.id = s.placement_id
  JOIN referrals_referral r ON r.id = p.referral_id
  WHERE r.service_id = %(service)s
    AND s.due_on BETWEEN %(d0)s AND %(d1)s AND s.due_on <= %(as_of)s
),
goals AS (
  -- People who achieved a plan goal in the period (measure 4).
  SELECT count(DISTINCT r.participant_id) AS goal_people
  FROM plans_goal g JOIN plans_pathwayplan pp ON pp.id = g.plan_id
  JOIN referrals_referral r ON r.id = pp.referral_id
  WHERE r.service_id = %(service)s AND g.achieved_on BETWEEN %(d0)s AND %(d1)s
    AND g.achieved_on <= %(as_of)s
),
episodes AS (
  -- Counted episodes: two or more readings by the last day, the latest in the period,
  -- on any instrument (an episode's readings all use the instrument of its first).
  SELECT rd.referral_id,
         (array_agg(rd.id ORDER BY rd.taken_on, rd.id))[1] AS first_id,
         (array_agg(rd.id ORDER BY rd.taken_on DESC, rd.id DESC))[1] AS latest_id
  FROM plans_reading rd JOIN referrals_referral r ON r.id = rd.referral_id
  WHERE r.service_id = %(service)s
    AND rd.taken_on <= %(d1)s
  GROUP BY rd.referral_id
  HAVING count(*) >= 2 AND max(rd.taken_on) >= %(d0)s
),
totals AS (
  SELECT e.referral_id,
         sum(s.score) FILTER (WHERE s.reading_id = e.first_id) AS first_total,
         sum(s.score) FILTER (WHERE s.reading_id = e.latest_id) AS latest_total
  FROM episodes e
  LEFT JOIN plans_readingscore s ON s.reading_id IN (e.first_id, e.latest_id)
  GROUP BY e.referral_id
),
dist AS (
  SELECT count(*) AS counted, count(*) FILTER (WHERE latest_total > first_total) AS moved_up
  FROM totals
),
ord AS (
  -- Orders that ended in the period, of people who had started support by the day it ended.
  SELECT count(DISTINCT o.participant_id) AS orders_ended,
         count(DISTINCT o.participant_id) FILTER (
           WHERE o.termination = 'completed') AS orders_completed
  FROM outcomes_order o
  WHERE o.order_type = 'community_order'
    AND o.actual_end_date BETWEEN %(d0)s AND %(d1)s AND o.actual_end_date <= %(as_of)s
    AND o.recorded_at < %(moment)s
    AND EXISTS (
      SELECT 1 FROM referrals_referral r
      WHERE r.service_id = %(service)s AND r.participant_id = o.participant_id
        AND r.started_at < ((o.actual_end_date + 1)::timestamp AT TIME ZONE %(tz)s))
),
cohort AS (
  -- Each person once, from their first start in the period.
  SELECT DISTINCT ON (r.participant_id) r.participant_id,
         (r.started_at AT TIME ZONE %(tz)s)::date AS support_day
  FROM referrals_referral r
  WHERE r.service_id = %(service)s AND r.started_at >= %(t0)s AND r.started_at < %(t1)s
    AND r.started_at < %(moment)s
  ORDER BY r.participant_id, r.started_at, r.id
),
idx AS (
  -- The index date: the start of support, or the release from the custodial sentence the
  -- person was serving then (its end date), whichever is later.
  SELECT c.participant_id, c.support_day, cu.held IS NOT NULL AS in_custody_at_start,
         cu.released_on,
         CASE WHEN cu.held IS NOT NULL THEN cu.released_on ELSE c.support_day END AS index_day
  FROM cohort c
  LEFT JOIN LATERAL (
    SELECT true AS held, o.actual_end_date AS released_on
    FROM outcomes_order o
    WHERE o.participant_id = c.participant_id AND o.order_type = 'custodial'
      AND o.recorded_at < %(moment)s AND o.start_date <= c.support_day
      AND (o.actual_end_date IS NULL OR o.actual_end_date > c.support_day)
    ORDER BY o.start_date DESC, o.id DESC LIMIT 1
  ) cu ON true
),
win AS (
  SELECT i.participant_id, i.support_day, i.index_day,
         (i.index_day + interval '12 months')::date AS committed_before,
         (i.index_day + interval '18 months')::date AS proven_before,
         i.in_custody_at_start AND (i.released_on IS NULL OR i.released_on > %(d1)s)
           AS in_custody_at_end
  FROM idx i
),
reo AS (
  SELECT count(*) FILTER (WHERE NOT w.in_custody_at_end AND w.proven_before <= %(as_of)s)
           AS closed,
         count(*) FILTER (
           WHERE NOT w.in_custody_at_end AND w.proven_before <= %(as_of)s
             AND EXISTS (
               SELECT 1 FROM outcomes_provenoffence po
               WHERE po.participant_id = w.participant_id AND po.recorded_at < %(moment)s
                 AND po.committed_on >= w.index_day AND po.committed_on < w.committed_before
                 AND po.proven_on < w.proven_before)) AS reoffended,
         count(*) FILTER (WHERE w.in_custody_at_end) AS in_custody,
         count(*) FILTER (WHERE w.index_day <> w.support_day) AS released_after_start,
         (SELECT count(*) FROM outcomes_provenoffence po JOIN win v
            ON po.participant_id = v.participant_id
          WHERE NOT v.in_custody_at_end AND v.proven_before <= %(as_of)s
            AND po.recorded_at < %(moment)s AND po.committed_on >= v.index_day
            AND po.committed_on < v.committed_before AND po.proven_on < v.proven_before)
           AS offences
  FROM win w
)
SELECT *, (SELECT capacity FROM accounts_service WHERE id = %(service)s) AS capacity
FROM ref, opp, pl, chk, goals, dist, ord, reo
"""

Triple = tuple[float | None, int | None, int | None]


def _hand_sql(service_id: int, period: Any, as_of: datetime.date) -> dict[str, Triple]:
    from django.conf import settings
    from django.db import connection

    from pathways.outcomes.measures import as_at_moment

    params = {
        "service": service_id,
        "t0": period.first_moment,
        "t1": period.after_end,
        "d0": period.start,
        "d1": period.end,
        "as_of": as_of,
        "tz": settings.TIME_ZONE,
        "moment": as_at_moment(as_of),
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        assert cursor.description is not None
        row = dict(zip([col.name for col in cursor.description], cursor.fetchone(), strict=True))
    not_reoffending = row["closed"] - row["reoffended"]
    wait = row["wait_days"]
    figures: dict[str, Triple] = {
        "training_placements_created": (row["training"], None, None),
        "employment_placements_created": (row["employment"], None, None),
        "participants_put_forward": (row["put_forward"], None, None),
        "goals_achieved": (row["goal_people"], None, None),
        "distance_travelled": (row["moved_up"], row["moved_up"], row["counted"]),
        "placement_starts": (row["placement_starts"], None, None),
        "placement_completions": (row["completions"], None, None),
        "orders_completed": (row["orders_completed"], row["orders_completed"], row["orders_ended"]),
        "not_reoffending": (not_reoffending, not_reoffending, row["closed"]),
        "referrals_received": (row["received"], None, None),
        "referrals_accepted": (row["accepted"], None, None),
        "starts": (row["starts"], None, None),
        "caseload": (row["caseload"], row["caseload"], row["capacity"]),
        "waiting_time": (None if wait is None else float(wait), None, row["wait_n"]),
        "attrition": (row["disengaged"], row["disengaged"], row["ended"]),
        "job_starts": (row["job_starts"], None, None),
    }
    # Measure 8's breakdown too (value only): who was still in custody, and the frequency.
    figures["not_reoffending: in custody at the end"] = (row["in_custody"], None, None)
    figures["not_reoffending: proven re-offences"] = (row["offences"], None, None)
    figures["(hand SQL only) index date a release after the start"] = (
        row["released_after_start"],
        None,
        None,
    )
    for weeks in (4, 13, 26):
        in_work = row[f"in_work_{weeks}"]
        figures[f"sustained_{weeks}_weeks"] = (in_work, in_work, row[f"due_{weeks}"])
    return figures


# ---------------------------------------------------------------- timing and report


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _rows() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[table] = cursor.fetchone()[0]
    return counts


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=50000, help="people in the service")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    args = parser.parse_args()
    _setup_django()

    from pathways.accounts.models import Service
    from pathways.core.periods import half_year
    from pathways.outcomes.measures import BY_KEY, MEASURES
    from pathways.outcomes.selectors import measures_for_period

    started = time.perf_counter()
    steps = _build(args.participants)
    print(f"built {args.participants:,} participants in {time.perf_counter() - started:.1f} s")
    print("  " + ", ".join(f"{name} {s:.1f} s" for name, s in steps.items()))
    print("\nrows")
    for table, n in _rows().items():
        print(f"  {table:32} {n:>10,}")

    service = Service.objects.get(slug="bench")
    period = half_year(PERIOD_DAY)
    print(f"\nperiod {period} ({period.key}), as at {AS_OF}")

    results = measures_for_period(service, period, as_of=AS_OF)
    registry = {
        result.measure.key: (
            result.figure.value,
            result.figure.numerator,
            result.figure.denominator,
        )
        for result in results
    }
    breakdown = dict(BY_KEY["not_reoffending"].compute(service, period, AS_OF).breakdown)
    registry["not_reoffending: in custody at the end"] = (
        breakdown["In custody at the end of the period (not counted)"],
        None,
        None,
    )
    registry["not_reoffending: proven re-offences"] = (
        breakdown["Proven re-offences (18 months passed)"],
        None,
        None,
    )
    hand = _hand_sql(service.pk, period, AS_OF)
    print(f"\n{'measure':32} {'registry (value, num, den)':>30} {'hand SQL':>30}")
    mismatches = []
    for key, figure in registry.items():
        other = hand[key]
        same = all(_same(a, b) for a, b in zip(figure, other, strict=True))
        if not same:
            mismatches.append(key)
        print(f"{key:32} {figure!s:>30} {other!s:>30}{'' if same else '   <-- DIFFERS'}")
    for key, figure in hand.items():
        if key not in registry:
            print(f"{key:32} {'':>30} {figure!s:>30}")
    if mismatches:
        print(f"\nMISMATCH in {len(mismatches)} measure(s): {', '.join(mismatches)}")
        for key in mismatches:
            print(f"  {key}: registry {registry[key]}, hand SQL {hand[key]}")
    else:
        print("\nthe hand SQL gives every figure the registry gives")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        server_jit = cursor.fetchone()[0]
    print(f"\nmedian of {args.runs} runs, milliseconds")
    print(f"  {'':48} {'jit ' + server_jit:>9} {'jit off':>9}")
    totals: dict[str, list[float]] = {"registry": [], "hand": []}
    for jit in (server_jit, "off"):
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {jit}")
        totals["registry"].append(
            _median_ms(lambda: measures_for_period(service, period, as_of=AS_OF), args.runs)
        )
        totals["hand"].append(_median_ms(lambda: _hand_sql(service.pk, period, AS_OF), args.runs))
    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {server_jit}")
    ratios = [r / h for r, h in zip(totals["registry"], totals["hand"], strict=True)]
    for label, values in (
        ("registry: measures_for_period (18 measures)", totals["registry"]),
        ("hand SQL: one statement (the floor)", totals["hand"]),
    ):
        print(f"  {label:48} {values[0]:9.1f} {values[1]:9.1f}")
    print(f"  {'ratio registry / hand SQL':48} {ratios[0]:9.2f} {ratios[1]:9.2f}")

    each = {
        m.key: _median_ms(partial(m.compute, service, period, AS_OF), args.runs) for m in MEASURES
    }
    print(f"\neach measure's compute alone (jit {server_jit}), median of {args.runs} runs, ms")
    for key, ms in sorted(each.items(), key=lambda item: -item[1]):
        print(f"  {key:32} {ms:9.1f}")
    print(f"  {'(sum)':32} {sum(each.values()):9.1f}")
    if mismatches:
        sys.exit(f"the registry and the hand SQL differ in {', '.join(mismatches)}")


if __name__ == "__main__":
    main()
