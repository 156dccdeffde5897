"""How long every measure takes for a half-year, for one service and for the national total
of many services (PostgreSQL), against hand-written SQL for the same figures (the floor),
and against an analyst's pandas over CSV exports of the same tables.

Builds --services services sharing --participants people over three contract years (May
2022 to April 2025) in a database of its own, each service with its own patches, areas,
staff, employers and opportunities: referrals with their decisions, starts and ends
(second episodes for some, some of those who moved away referred to the next service, so
the total counts a person in two services once), placements (about two a person) with
decisions, starts, completions and early ends, sustainment checks for job starts,
distance-travelled readings (intake, review, sometimes exit) with a score per area, plans
with goals (some achieved, some withdrawn), mentoring contacts (about twenty a person:
weekdays in working hours, UK time, face to face, by phone, by video or at the placement;
most took place, some did not with a reason, a few await feedback, a few rescheduled),
orders (some completed, some breached), custodial sentences for some (support starting on
ROTL: released after the start, some after the half-year, some not yet) and proven
offences. Every row is made in SQL (INSERT ... SELECT), and the build time and row counts
are printed.

Then times, as the median of --runs runs, for the half-year November 2023 to April 2024 as
at 30 November 2025: ``measures_for_period`` for one service (the whole registry) and the
national total (every measure over ``outcomes.measures.Services``, as
``measures_for_services`` and ``manage.py measures`` without --service count it), each
against one hand-written SQL statement giving the same figures, with PostgreSQL's JIT as
the server has it (and off, where it is on); ``measures_for_services`` whole (every
service and the total); the mentoring figures (which read the contacts); the reads of a
closed half-year's kept figures (one service's dashboard, and every service with the kept
total, each checked against a live count); and each measure's ``compute`` alone, for one
service and the total. The hand SQL follows the
written definitions (docs/measures.md); its figures are checked against the registry's
(value, numerator, denominator).

pandas: the tables the figures read are exported to CSV (COPY ... TO STDOUT; one
service's rows, and every service's; not timed), and an analyst's pandas script
(``_pandas_figures``) reads them and computes the same figures, timed reading included. It
runs in the bench's own venv (pandas is pinned in requirements-bench.txt, never in the
runtime's), as this file with --pandas; without .venv/bench (or pandas in it) that part
is skipped, saying so. Any figure that differs from the registry's (hand SQL or pandas)
is printed, and the bench exits non-zero. The hand SQL is timed against pandas too: what
a live count cannot beat. The load averages before and after are printed (others may share
the cores), and a final table gives each figure, today, its goal and whether it is met.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/measures_at_scale.py [--participants 250000] \\
        [--services 50] [--runs 5]

The database ``pathways_bench_measures`` is dropped and made anew (--reuse times what it
holds again, without building).

Figures (2 December 2026, ``--participants 250000 --services 50 --runs 5`` then
``--reuse``, a quiet machine: load averages 0.8 to 1.4): built in 579 s (contacts 281 s);
285,527 referrals, 483,530 placements, 248,004 sustainment checks, 352,267 readings,
224,751 goals, 5,127,381 contacts, 247,455 orders, 162,251 proven offences. One service
(about 5,000 people): registry 328 ms, hand SQL 247 ms, 1.33x (the fresh run: 388 and 311
ms, 1.25x). National total: registry 4,201 ms, hand SQL 3,288 ms, 1.28x (fresh: 1.23x).
``measures_for_services`` whole (50 services and the total, counted live) 19.0 s; the same
for a closed half-year, read from kept rows and the kept total, 485 ms (90 ms in five
queries since each service's column is read for every service at once: 41x faster than
pandas' national total, measured apart at load 2 to 3). pandas, reading
included: one service 133 ms (Pathways 0.4x as fast, the hand SQL 0.5x), national 3,700
ms over 230 MB of CSV (Pathways 0.9x, the hand SQL 1.1x). A kept half-year's read 7.7 ms
(17x faster than pandas for one service). Every figure equal to the hand SQL's and
pandas'. JIT off (the server's setting).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import SimpleNamespace
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
    "accounts_service",
    "participants_participant",
    "referrals_referral",
    "employers_employer",
    "employers_opportunity",
    "placements_placement",
    "placements_sustainmentcheck",
    "plans_reading",
    "plans_readingscore",
    "plans_goal",
    "contacts_contact",
    "outcomes_order",
    "outcomes_provenoffence",
)


def _bench_database_url(fresh: bool) -> str:
    import psycopg

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if fresh:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    return admin_url.rsplit("/", 1)[0] + "/" + DATABASE


def _setup_django(fresh: bool = True) -> None:
    os.environ["DATABASE_URL"] = _bench_database_url(fresh)
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
  SELECT pid, recv, patch, svc, random() AS u_dec, random() AS u_wait, random() AS u_start,
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
SELECT b.service, pid, patch, b.referrer,
       CASE WHEN u_type < 0.8 THEN 'probation' WHEN u_type < 0.9 THEN 'yos' ELSE 'prison' END,
       CASE WHEN u_type < 0.6 THEN 'iom' WHEN u_type < 0.9 THEN 'other' ELSE 'rotl' END,
       CASE WHEN u_type < 0.45 THEN 'community_order'
            WHEN u_type < 0.65 THEN 'suspended_sentence'
            WHEN u_type < 0.80 THEN 'licence'
            WHEN u_type < 0.85 THEN 'youth_rehabilitation'
            WHEN u_type < 0.90 THEN 'post_sentence'
            ELSE 'custodial' END,
       '', 'Bench', 'Bench', '', '[]', '', '', true, recv::date, recv,
       accepted, CASE WHEN accepted IS NOT NULL THEN b.manager END,
       declined, CASE WHEN declined IS NOT NULL THEN b.manager END,
       started,
       CASE WHEN started IS NOT NULL THEN
            CASE WHEN patch = b.north THEN b.worker_north ELSE b.worker_south END END,
       started,
       ended, CASE WHEN ended IS NOT NULL THEN b.manager END,
       CASE WHEN ended IS NOT NULL
            THEN (SELECT id FROM referrals_endreason WHERE code = reason_code) END,
       '', '', '', CASE WHEN ended IS NOT NULL THEN 'Bench' ELSE '' END, '', '[]', '', '', '{{}}'
FROM k JOIN bench_services b ON b.service = k.svc
"""

FIRST_EPISODES = """
SELECT p.id AS pid, p.created_at AS recv, a.patch_id AS patch, pa.service_id AS svc
FROM participants_participant p JOIN accounts_area a ON a.id = p.area_id
JOIN accounts_patch pa ON pa.id = a.patch_id
"""

# Some people are referred again after support ends (some soon after disengaging). Where
# there are several services, people who moved away are referred again more often, to the
# next service (so a person in two services counts once in their total).
SECOND_EPISODES = """
SELECT e.participant_id AS pid, e.recv,
       CASE WHEN e.moved THEN nb.north ELSE e.patch_id END AS patch,
       CASE WHEN e.moved THEN nb.service ELSE e.service_id END AS svc
FROM (SELECT r.participant_id, r.patch_id, r.service_id,
             r.ended_at + make_interval(days => 14 + (random() * 186)::int) AS recv,
             random() AS u, er.code = 'moved-away' AND %(services)s > 1 AS moved
      FROM referrals_referral r JOIN referrals_endreason er ON er.id = r.end_reason_id
      WHERE r.started_at IS NOT NULL AND r.ended_at IS NOT NULL) AS e
JOIN bench_services b ON b.service = e.service_id
JOIN bench_services nb ON nb.k = (b.k + 1) %% %(services)s
WHERE (e.u < 0.2 OR (e.moved AND e.u < 0.6)) AND e.recv < %(data_end)s
"""

PARTICIPANTS_SQL = """
INSERT INTO participants_participant
  (first_name, last_name, date_of_birth, crn, pnc_id, prison_number, gender, phone, email,
   address, area_id, location, created_at, created_by_id,
   processing_restricted_reason)
SELECT 'Person' || g, 'Surname' || (g %% 997), date '1960-01-01' + (g * 7919 %% 16000),
       chr(65 + g / 1000000) || lpad((g %% 1000000)::text, 6, '0'), '', '',
       CASE WHEN g %% 7 = 0 THEN 'woman' ELSE 'man' END, '', '', '',
       CASE WHEN (g / %(services)s) %% 2 = 0 THEN b.area_north ELSE b.area_south END, 'community',
       %(data_start)s + make_interval(secs => (g - 1) * %(span)s / %(n)s), b.referrer, ''
FROM generate_series(1, %(n)s) AS g JOIN bench_services b ON b.k = g %% %(services)s
"""

EMPLOYERS_SQL = """
INSERT INTO employers_employer
  (service_id, name, kind, sector_id, patch_id, address, size,
   employs_people_with_convictions, disclosure_practice, owner_id, created_at, created_by_id)
SELECT b.service, 'Employer ' || g,
       CASE WHEN g %% 4 = 0 THEN 'training_provider' ELSE 'employer' END,
       (SELECT min(id) FROM employers_sector) + g %% (SELECT count(*) FROM employers_sector),
       CASE WHEN g %% 2 = 0 THEN b.north ELSE b.south END, '',
       (array['micro', 'small', 'medium', 'large'])[1 + g %% 4], 'unknown', '',
       CASE WHEN g %% 2 = 0 THEN b.worker_north ELSE b.worker_south END,
       %(data_start)s - make_interval(days => g %% 300), b.manager
FROM bench_services b CROSS JOIN generate_series(1, %(n)s) AS g
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
FROM (SELECT b.service, g, random() AS u, 1 + (random() * (%(employers)s - 1))::int AS k,
             %(data_start)s + make_interval(secs => random() * %(span)s) AS created_at
      FROM bench_services b CROSS JOIN generate_series(1, %(n)s) AS g) AS x
JOIN (SELECT *, row_number() OVER (PARTITION BY service_id ORDER BY id) AS k
      FROM employers_employer) AS e
  ON e.service_id = x.service AND e.k = x.k
"""

# Most started episodes put forward to one to six opportunities of their service of about
# the time (about two placements a person).
PLACEMENTS_SQL = """
WITH opps AS (
  SELECT o.id, o.kind, e.service_id AS service,
         row_number() OVER (PARTITION BY e.service_id ORDER BY o.created_at, o.id) AS k
  FROM employers_opportunity o JOIN employers_employer e ON e.id = o.employer_id
),
tries AS (
  SELECT r.id AS referral_id, r.participant_id, r.worker_id, r.service_id AS service,
         r.started_at + make_interval(days => 7 + t * 12 + (random() * 40)::int,
                                      hours => (random() * 8)::int) AS put_forward_at,
         coalesce(r.ended_at, %(data_end)s) AS until,
         random() AS u_dec, random() AS u_end, random() AS u_pick
  FROM referrals_referral r
  CROSS JOIN LATERAL generate_series(1, 1 + (r.id %% 6)::int) AS t
  WHERE r.started_at IS NOT NULL AND r.id * 7 %% 100 < 95
),
picked AS (
  SELECT tries.*, opps.id AS opportunity_id, opps.kind,
         (put_forward_at AT TIME ZONE %(tz)s)::date AS put_forward_on
  FROM tries
  JOIN opps ON opps.service = tries.service AND opps.k = greatest(1, least(%(opportunities)s,
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
  (referral_id, service_id, participant_id, opportunity_id, put_forward_at, put_forward_by_id,
   put_forward_note, accepted_on, declined_on, decision_note, started_on, completed_on,
   ended_early_on, end_reason_id, end_note)
SELECT referral_id, service, participant_id, opportunity_id, put_forward_at, worker_id, '',
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
  (placement_id, service_id, weeks, due_on, checked_on, in_work, checked_by_id, note)
SELECT id, service_id, weeks, due_on,
       CASE WHEN checked THEN checked_on END,
       CASE WHEN checked THEN u < CASE WHEN ended_early_on <= due_on THEN 0.3
                                       ELSE 1.0 - weeks / 70.0 END END,
       CASE WHEN checked THEN put_forward_by_id END, ''
FROM (SELECT p.id, p.service_id, p.put_forward_by_id, p.ended_early_on, w.weeks,
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
  SELECT r.id, r.started_at + interval '2 days', coalesce(r.worker_id, r.accepted_by_id)
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

# Mentoring contacts (about twenty a person): for each started episode one every four to
# eight days from its start until it ended (or the data ends), on a weekday (a Saturday or
# Sunday moves to the Monday) in working hours, UK time; face to face, by phone or by video,
# or at the placement when one of the episode's placements was running then. Most took
# place (some late), some did not (with a reason), a few await feedback, and a few were
# rescheduled a week on (``RESCHEDULED_SQL`` books the new one).
CONTACTS_SQL = """
WITH episodes AS (
  SELECT r.id, r.worker_id, r.started_at,
         least(coalesce(r.ended_at, %(data_end)s), %(data_end)s) AS until,
         4 + (random() * 3)::int AS every
  FROM referrals_referral r WHERE r.started_at IS NOT NULL
),
slots AS (
  SELECT e.id AS referral_id, e.worker_id, e.started_at, e.until,
         (e.started_at AT TIME ZONE %(tz)s)::date + n * e.every AS day_raw,
         random() AS u_mode, random() AS u_time, random() AS u_out, random() AS u_how
  FROM episodes e
  CROSS JOIN LATERAL generate_series(
    1, (extract(epoch FROM e.until - e.started_at) / 86400 / e.every)::int) AS n
),
dated AS (
  SELECT slots.*,
         ((day_raw + CASE extract(isodow FROM day_raw) WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END)
          + time '09:00' + make_interval(mins => 30 * (u_time * 15)::int))
           AT TIME ZONE %(tz)s AS starts_at
  FROM slots
),
stated AS (
  SELECT dated.*,
         CASE WHEN u_out < 0.80 THEN 'happened' WHEN u_out < 0.955 THEN 'not'
              WHEN u_out < 0.985 AND starts_at + interval '7 days' < until THEN 'moved'
              ELSE 'awaiting' END AS state
  FROM dated WHERE starts_at < until
)
INSERT INTO contacts_contact
  (referral_id, starts_at, mode, duration_minutes, location, placement_id, booked_by_id,
   created_at, reschedule_reason, outcome_recorded_at, outcome_recorded_by_id, happened,
   attended, not_happened_reason, notes, tell_referrer)
SELECT d.referral_id, d.starts_at,
       CASE WHEN pl.id IS NOT NULL THEN 'placement' WHEN u_mode < 0.55 THEN 'face_to_face'
            WHEN u_mode < 0.8 THEN 'phone' ELSE 'video' END,
       (array[30, 45, 60])[1 + (u_time * 1000)::int %% 3],
       CASE WHEN pl.id IS NOT NULL THEN 'At the placement' WHEN u_mode < 0.55 THEN 'Office'
            ELSE '' END,
       pl.id, d.worker_id,
       greatest(d.started_at, d.starts_at - make_interval(days => 1 + (u_how * 10)::int)),
       CASE WHEN state = 'moved' THEN 'The person asked to move it' ELSE '' END,
       CASE WHEN state IN ('happened', 'not')
            THEN d.starts_at + make_interval(hours => 1 + (u_how * 40)::int) END,
       CASE WHEN state IN ('happened', 'not') THEN d.worker_id END,
       CASE state WHEN 'happened' THEN true WHEN 'not' THEN false END,
       CASE WHEN state = 'happened' AND u_out < 0.68 THEN 'yes'
            WHEN state = 'happened' THEN 'late'
            WHEN state = 'not' AND u_how < 0.8 THEN 'no'
            WHEN state = 'not' THEN 'yes' ELSE '' END,
       CASE WHEN state = 'not' AND u_how < 0.4 THEN 'acceptable'
            WHEN state = 'not' AND u_how < 0.8 THEN 'unacceptable'
            WHEN state = 'not' THEN 'logistics' ELSE '' END,
       '', false
FROM stated d
LEFT JOIN LATERAL (
  SELECT p.id FROM placements_placement p
  WHERE d.u_mode >= 0.9 AND p.referral_id = d.referral_id
    AND p.started_on <= (d.starts_at AT TIME ZONE %(tz)s)::date
    AND coalesce(p.completed_on, p.ended_early_on, %(data_end_day)s)
        >= (d.starts_at AT TIME ZONE %(tz)s)::date
  ORDER BY p.started_on DESC, p.id DESC LIMIT 1
) pl ON true
"""

# Each contact moved a week on: the new one (which took place) supersedes it.
RESCHEDULED_SQL = """
WITH old AS (
  SELECT id, referral_id, starts_at + interval '7 days' AS new_at, mode, duration_minutes,
         location, placement_id, booked_by_id
  FROM contacts_contact WHERE reschedule_reason <> '' AND superseded_by_id IS NULL
),
new AS (
  INSERT INTO contacts_contact
    (referral_id, starts_at, mode, duration_minutes, location, placement_id, booked_by_id,
     created_at, reschedule_reason, outcome_recorded_at, outcome_recorded_by_id, happened,
     attended, not_happened_reason, notes, tell_referrer)
  SELECT referral_id, new_at, mode, duration_minutes, location, placement_id, booked_by_id,
         new_at - interval '6 days', '', new_at + interval '2 hours', booked_by_id, true, 'yes',
         '', 'Rescheduled (' || id || ')', false
  FROM old
  RETURNING id, notes
)
UPDATE contacts_contact c SET superseded_by_id = new.id
FROM new WHERE new.notes = 'Rescheduled (' || c.id || ')'
"""

# A custodial sentence for some people referred from prison, started long before the
# referral: most released some weeks after it (support then starts on ROTL and the index
# date is the release), some later than the half-year's end, some not released by the end
# of the data.
CUSTODY_SQL = """
WITH people AS (
  SELECT p.id, (p.created_at AT TIME ZONE %(tz)s)::date AS referred_on, b.manager, random() AS u
  FROM participants_participant p {of_service}
),
custody AS (
  SELECT id AS participant_id, manager, referred_on - 400 - (u * 300)::int AS start_day,
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
       'hand', '', '', manager,
       (least(coalesce(end_raw, start_day), %(data_end_day)s) + time '12:00') AT TIME ZONE %(tz)s
FROM custody
"""

# A current order for most people (started before the referral) and an earlier one for
# some; those due to end by the end of the data ended, most completed.
ORDERS_SQL = """
WITH people AS (
  SELECT p.id, (p.created_at AT TIME ZONE %(tz)s)::date AS referred_on, b.manager, random() AS u
  FROM participants_participant p {of_service}
),
orders AS (
  SELECT id AS participant_id, manager, referred_on - (u * 200)::int AS start_day,
         CASE WHEN u < 0.5 THEN 365 ELSE 730 END AS length, random() AS u_type,
         random() AS u_end, random() AS u_source
  FROM people WHERE u < 0.75
  UNION ALL
  SELECT id, manager, referred_on - 500 - (u * 400)::int, 365, random(), random(), random()
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
       CASE WHEN u_source < 0.35 THEN NULL ELSE manager END,
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
       CASE WHEN u < 0.4 THEN NULL ELSE manager END,
       (proven_on + time '12:00') AT TIME ZONE %(tz)s
FROM (SELECT id, manager, n, u, committed_on,
             committed_on + 20 + (random() * 280)::int AS proven_on
      FROM (SELECT p.id, b.manager, n, random() AS u,
                   (p.created_at AT TIME ZONE %(tz)s)::date - 365
                   + (random() * (%(data_end_day)s
                                  - (p.created_at AT TIME ZONE %(tz)s)::date + 365))::int
                   AS committed_on
            FROM participants_participant p {of_service}
            CROSS JOIN LATERAL generate_series(1, 1 + p.id %% 3) AS n
            WHERE p.id * 13 %% 100 < 33) AS c) AS o
WHERE proven_on <= %(as_of)s
"""


# The people of a participant's service (by their area), for the rows recorded by its staff.
OF_SERVICE = """
JOIN accounts_area a ON a.id = p.area_id JOIN accounts_patch pa ON pa.id = a.patch_id
JOIN bench_services b ON b.service = pa.service_id
"""

# Each service of the bench, numbered from 0, with its patches, areas and staff: the
# statements above spread the rows over the services through it.
SERVICES_TABLE = """
CREATE TABLE bench_services (
  k integer PRIMARY KEY, service integer, north integer, south integer, area_north integer,
  area_south integer, referrer integer, manager integer, worker_north integer,
  worker_south integer)
"""


def _make_services(count: int, participants: int) -> list[Any]:
    """``count`` services (each with a North and a South patch, an area in each, a
    referrer, a manager and a worker per patch), listed in ``bench_services``."""
    from django.db import connection

    from pathways.accounts.models import Area, Patch, Service, User
    from pathways.core.roles import Role

    capacity = max(50, CAPACITY * participants // 50000 // count)
    services = []
    with connection.cursor() as cursor:
        cursor.execute(SERVICES_TABLE)
        for k in range(count):
            number = f"{k + 1:02d}"
            service = Service.objects.create(
                name=f"Bench service {number}", slug=f"bench-{number}", capacity=capacity
            )
            north = Patch.objects.create(service=service, name="North")
            south = Patch.objects.create(service=service, name="South")
            staff = {
                name: User.objects.create(
                    username=f"{name.replace('_', '-')}-{number}",
                    role=role,
                    service=service,
                    patch=patch,
                ).pk
                for name, role, patch in (
                    ("referrer", Role.REFERRER, None),
                    ("manager", Role.MANAGER, None),
                    ("worker_north", Role.WORKER, north),
                    ("worker_south", Role.WORKER, south),
                )
            }
            cursor.execute(
                "INSERT INTO bench_services VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    k,
                    service.pk,
                    north.pk,
                    south.pk,
                    Area.objects.create(patch=north, name=f"Northshire {number}").pk,
                    Area.objects.create(patch=south, name=f"Southshire {number}").pk,
                    staff["referrer"],
                    staff["manager"],
                    staff["worker_north"],
                    staff["worker_south"],
                ],
            )
            services.append(service)
    return services


def _build(participants: int, services: int) -> tuple[list[Any], dict[str, float]]:
    """``services`` services sharing ``participants`` people and their records; the
    services, and the seconds per step."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from pathways.plans.models import Instrument
    from pathways.plans.reference import DEFAULT_INSTRUMENT
    from pathways.plans.services import reading_totals_rebuild

    made = _make_services(services, participants)
    tz = settings.TIME_ZONE
    start = timezone.make_aware(datetime.datetime.combine(DATA_START, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(DATA_END + datetime.timedelta(days=1), datetime.time())
    )
    params: dict[str, Any] = {
        "services": services,
        "instrument": Instrument.objects.get(name=DEFAULT_INSTRUMENT).pk,
        "tz": tz,
        "data_start": start,
        "data_end": end,
        "data_end_day": DATA_END,
        "as_of": AS_OF,
        "span": (end - start).total_seconds(),
    }
    # Per service: its employers and opportunities grow with its people.
    each = max(1, participants // services)
    employers = max(10, each * EMPLOYERS_PER_1000 // 1000)
    opportunities = max(50, each * OPPORTUNITIES_PER_1000 // 1000)
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
        ("contacts", CONTACTS_SQL, {}),
        ("rescheduled contacts", RESCHEDULED_SQL, {}),
        ("orders", ORDERS_SQL.replace("{of_service}", OF_SERVICE), {}),
        ("custodial sentences", CUSTODY_SQL.replace("{of_service}", OF_SERVICE), {}),
        ("proven offences", OFFENCES_SQL.replace("{of_service}", OF_SERVICE), {}),
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
            elif name == "contacts":
                # The placements and episodes the contacts look up, planned from real counts.
                cursor.execute("ANALYZE referrals_referral, placements_placement")
            started = time.perf_counter()
            cursor.execute(sql, {**params, **extra} if sql != "ANALYZE" else None)
            seconds[name] = time.perf_counter() - started
    return made, seconds


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
  WHERE r.service_id = ANY(%(services)s)
),
opp AS (
  SELECT count(*) FILTER (WHERE o.kind = 'training') AS training,
         count(*) FILTER (WHERE o.kind IN ('work', 'job')) AS employment
  FROM employers_opportunity o JOIN employers_employer e ON e.id = o.employer_id
  WHERE e.service_id = ANY(%(services)s) AND o.created_at >= %(t0)s AND o.created_at < %(t1)s
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
  WHERE r.service_id = ANY(%(services)s)
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
  WHERE r.service_id = ANY(%(services)s)
    AND s.due_on BETWEEN %(d0)s AND %(d1)s AND s.due_on <= %(as_of)s
),
goals AS (
  -- People who achieved a plan goal in the period (measure 4).
  SELECT count(DISTINCT r.participant_id) AS goal_people
  FROM plans_goal g JOIN plans_pathwayplan pp ON pp.id = g.plan_id
  JOIN referrals_referral r ON r.id = pp.referral_id
  WHERE r.service_id = ANY(%(services)s) AND g.achieved_on BETWEEN %(d0)s AND %(d1)s
    AND g.achieved_on <= %(as_of)s
),
episodes AS (
  -- Counted episodes: two or more readings by the last day, the latest in the period,
  -- on any instrument (an episode's readings all use the instrument of its first).
  SELECT rd.referral_id,
         (array_agg(rd.id ORDER BY rd.taken_on, rd.id))[1] AS first_id,
         (array_agg(rd.id ORDER BY rd.taken_on DESC, rd.id DESC))[1] AS latest_id
  FROM plans_reading rd JOIN referrals_referral r ON r.id = rd.referral_id
  WHERE r.service_id = ANY(%(services)s)
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
      WHERE r.service_id = ANY(%(services)s) AND r.participant_id = o.participant_id
        AND r.started_at < ((o.actual_end_date + 1)::timestamp AT TIME ZONE %(tz)s))
),
cohort AS (
  -- Each person once, from their first start in the period.
  SELECT DISTINCT ON (r.participant_id) r.participant_id,
         (r.started_at AT TIME ZONE %(tz)s)::date AS support_day
  FROM referrals_referral r
  WHERE r.service_id = ANY(%(services)s) AND r.started_at >= %(t0)s AND r.started_at < %(t1)s
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
SELECT *, (SELECT sum(capacity) FROM accounts_service WHERE id = ANY(%(services)s))::int
  AS capacity
FROM ref, opp, pl, chk, goals, dist, ord, reo
"""

Triple = tuple[float | None, int | None, int | None]


def _hand_sql(service_ids: list[int], period: Any, as_of: datetime.date) -> dict[str, Triple]:
    """Every figure for the services together (one service, or the national total: each
    person once), from ``HAND_SQL``."""
    from django.conf import settings
    from django.db import connection

    from pathways.outcomes.measures import as_at_moment

    params = {
        "services": service_ids,
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


def _load() -> str:
    """The machine's load averages (1, 5, 15 minutes): other work shares its cores."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9


def _registry(results: list[Any], breakdown: dict[str, int]) -> dict[str, Triple]:
    """The registry's figures (value, numerator, denominator), and measure 8's breakdown
    lines the hand SQL also counts."""
    figures: dict[str, Triple] = {
        result.measure.key: (
            result.figure.value,
            result.figure.numerator,
            result.figure.denominator,
        )
        for result in results
    }
    figures["not_reoffending: in custody at the end"] = (
        breakdown["In custody at the end of the period (not counted)"],
        None,
        None,
    )
    figures["not_reoffending: proven re-offences"] = (
        breakdown["Proven re-offences (18 months passed)"],
        None,
        None,
    )
    return figures


def _compare(
    title: str, registry: dict[str, Triple], other: dict[str, Triple], name: str
) -> list[str]:
    """Print the registry's figures beside ``other``'s; the keys that differ."""
    print(f"\n{title}")
    print(f"{'measure':40} {'registry (value, num, den)':>28} {name:>28}")
    mismatches = []
    for key, figure in registry.items():
        theirs = other.get(key)
        same = theirs is not None and all(_same(a, b) for a, b in zip(figure, theirs, strict=True))
        if not same:
            mismatches.append(key)
        print(f"{key:40} {figure!s:>28} {theirs!s:>28}{'' if same else '   <-- DIFFERS'}")
    for key, figure in other.items():
        if key not in registry:
            print(f"{key:40} {'':>28} {figure!s:>28}")
    if mismatches:
        print(f"MISMATCH in {len(mismatches)} figure(s): {', '.join(mismatches)}")
    else:
        print(f"{name} gives every figure the registry gives")
    return mismatches


# ---------------------------------------------------------------- pandas beside it

# What an analyst would export: each table the figures read, whole (COPY ... TO STDOUT), of
# one service (its own rows: its referrals and what hangs off them, and the orders and
# offences of its people) or of every service.
EXPORTS = {
    "accounts_service": "id = ANY({ids})",
    "referrals_endreason": "",
    "referrals_referral": "service_id = ANY({ids})",
    "employers_employer": "service_id = ANY({ids})",
    "employers_opportunity": "employer_id IN (SELECT id FROM employers_employer "
    "WHERE service_id = ANY({ids}))",
    "placements_placement": "referral_id IN ({referrals})",
    "placements_sustainmentcheck": "placement_id IN (SELECT id FROM placements_placement "
    "WHERE referral_id IN ({referrals}))",
    "plans_pathwayplan": "referral_id IN ({referrals})",
    "plans_goal": "plan_id IN (SELECT id FROM plans_pathwayplan WHERE referral_id IN "
    "({referrals}))",
    "plans_reading": "referral_id IN ({referrals})",
    "outcomes_order": "participant_id IN ({people})",
    "outcomes_provenoffence": "participant_id IN ({people})",
}


def _export(directory: Path, service_ids: list[int] | None) -> int:
    """Each table of ``EXPORTS`` to ``directory``/table.csv (with a header), of the
    services (or all of them); the bytes written."""
    from django.db import connection

    directory.mkdir(parents=True, exist_ok=True)
    ids = "'{" + ",".join(str(int(pk)) for pk in service_ids or []) + "}'::int[]"
    of_services = f"FROM referrals_referral WHERE service_id = ANY({ids})"
    referrals, people = f"SELECT id {of_services}", f"SELECT participant_id {of_services}"
    written = 0
    with connection.cursor() as cursor:
        for table, where in EXPORTS.items():
            query = f"SELECT * FROM {table}"  # noqa: S608 (fixed names, integer ids)
            if where and service_ids is not None:
                query += " WHERE " + where.format(ids=ids, referrals=referrals, people=people)
            with (
                (directory / f"{table}.csv").open("wb") as out,
                cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy,
            ):
                for data in copy:
                    out.write(data)
                    written += len(data)
    return written


def _pandas_figures(directory: Path, tz: str, first: str, last: str) -> dict[str, Triple]:
    """An analyst's pandas over the CSV exports in ``directory``: every figure for the
    half-year ``first`` to ``last`` as at ``AS_OF``, for the services exported together
    (each person once), from the written definitions (docs/measures.md). Reading the
    CSVs is part of it. Runs in the bench's own venv (.venv/bench), never Django's."""
    import pandas as pd

    d0, d1, as_of = pd.Timestamp(first), pd.Timestamp(last), pd.Timestamp(AS_OF)
    one_day = pd.Timedelta(days=1)
    t0, t1 = pd.Timestamp(d0, tz=tz), pd.Timestamp(d1 + one_day, tz=tz)
    moment = pd.Timestamp(as_of + one_day, tz=tz)  # recorded by the end of the as-at day

    def read(
        table: str, columns: list[str], moments: tuple[str, ...] = (), dates: tuple[str, ...] = ()
    ) -> Any:
        frame = pd.read_csv(directory / f"{table}.csv", usecols=columns)
        for column in moments:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        for column in dates:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
        return frame

    def in_period(column: Any) -> Any:  # a moment recorded in the period, by the as-at day
        return (column >= t0) & (column < t1) & (column < moment)

    def on_days(column: Any) -> Any:  # a date in the period, on or before the as-at day
        return (column >= d0) & (column <= d1) & (column <= as_of)

    def local_day(column: Any) -> Any:
        return column.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()

    services = read("accounts_service", ["id", "capacity"])
    refs = read(
        "referrals_referral",
        [
            "id",
            "service_id",
            "participant_id",
            "received_at",
            "accepted_at",
            "started_at",
            "ended_at",
            "end_reason_id",
        ],
        moments=("received_at", "accepted_at", "started_at", "ended_at"),
    )
    refs = refs[refs.service_id.isin(services.id)]
    figures: dict[str, Triple] = {}

    # Referrals and support.
    figures["referrals_received"] = (int(in_period(refs.received_at).sum()), None, None)
    figures["referrals_accepted"] = (int(in_period(refs.accepted_at).sum()), None, None)
    started = refs[in_period(refs.started_at)]
    figures["starts"] = (len(started), None, None)
    waited = started[started.accepted_at.notna()]
    wait = (waited.started_at - waited.accepted_at).mean()
    figures["waiting_time"] = (
        None if waited.empty else round(wait.total_seconds() / 86400, 1),
        None,
        len(waited),
    )
    end_of_day = min(t1, moment)
    active = (refs.started_at < end_of_day) & (refs.ended_at.isna() | (refs.ended_at >= end_of_day))
    caseload = refs[active].participant_id.nunique()
    figures["caseload"] = (caseload, caseload, int(services.capacity.sum()))
    reasons = read("referrals_endreason", ["id", "group"])
    ended = refs[in_period(refs.ended_at) & refs.started_at.notna()]
    disengaged = int(ended.end_reason_id.isin(reasons.id[reasons.group == "Disengaged"]).sum())
    figures["attrition"] = (disengaged, disengaged, len(ended))

    # 1, 2: opportunities created with the services' employers.
    employers = read("employers_employer", ["id", "service_id"])
    opps = read(
        "employers_opportunity",
        ["id", "employer_id", "kind", "created_at"],
        moments=("created_at",),
    )
    opps = opps[opps.employer_id.isin(employers.id[employers.service_id.isin(services.id)])]
    created = opps[in_period(opps.created_at)]
    figures["training_placements_created"] = (int((created.kind == "training").sum()), None, None)
    figures["employment_placements_created"] = (
        int(created.kind.isin(["work", "job"]).sum()),
        None,
        None,
    )

    # 3, 5, 6 and job starts: people, each once.
    placements = read(
        "placements_placement",
        [
            "id",
            "referral_id",
            "participant_id",
            "opportunity_id",
            "put_forward_at",
            "started_on",
            "completed_on",
        ],
        moments=("put_forward_at",),
        dates=("started_on", "completed_on"),
    )
    placements = placements[placements.referral_id.isin(refs.id)].merge(
        opps[["id", "kind"]].rename(columns={"id": "opportunity_id"}), on="opportunity_id"
    )
    started_on = on_days(placements.started_on)
    figures["participants_put_forward"] = (
        placements[in_period(placements.put_forward_at)].participant_id.nunique(),
        None,
        None,
    )
    figures["placement_starts"] = (placements[started_on].participant_id.nunique(), None, None)
    figures["placement_completions"] = (
        placements[
            on_days(placements.completed_on) & placements.kind.isin(["training", "work"])
        ].participant_id.nunique(),
        None,
        None,
    )
    figures["job_starts"] = (
        placements[started_on & (placements.kind == "job")].participant_id.nunique(),
        None,
        None,
    )

    # Sustainment: every check due in the period by the as-at day; in work if so recorded.
    checks = read(
        "placements_sustainmentcheck",
        ["placement_id", "weeks", "due_on", "checked_on", "in_work"],
        dates=("due_on", "checked_on"),
    )
    checks = checks[checks.placement_id.isin(placements.id) & on_days(checks.due_on)]
    known_in_work = (
        checks.checked_on.notna()
        & (checks.checked_on <= as_of)
        & (checks.in_work.astype(str) == "t")
    )
    for weeks in (4, 13, 26):
        of_weeks = checks.weeks == weeks
        in_work = int((of_weeks & known_in_work).sum())
        figures[f"sustained_{weeks}_weeks"] = (in_work, in_work, int(of_weeks.sum()))

    # 4: people who achieved a goal of their plan in the period.
    plans = read("plans_pathwayplan", ["id", "referral_id"])
    goals = read("plans_goal", ["plan_id", "achieved_on"], dates=("achieved_on",))
    achieved = (
        goals[on_days(goals.achieved_on)]
        .merge(plans.rename(columns={"id": "plan_id"}), on="plan_id")
        .merge(
            refs[["id", "participant_id"]].rename(columns={"id": "referral_id"}), on="referral_id"
        )
    )
    figures["goals_achieved"] = (achieved.participant_id.nunique(), None, None)

    # Distance travelled: episodes with two readings or more by the end, the latest in the
    # period; moved up when the latest total is above the first.
    readings = read(
        "plans_reading", ["id", "referral_id", "taken_on", "total"], dates=("taken_on",)
    )
    if readings.total.isna().any():
        raise SystemExit("a reading has no kept total: the analyst would need the scores")
    readings = readings[readings.referral_id.isin(refs.id) & (readings.taken_on <= min(d1, as_of))]
    episodes = (
        readings.sort_values(["referral_id", "taken_on", "id"])
        .groupby("referral_id")
        .agg(
            n=("id", "size"),
            latest_on=("taken_on", "max"),
            first=("total", "first"),
            latest=("total", "last"),
        )
    )
    counted = episodes[(episodes.n >= 2) & (episodes.latest_on >= d0)]
    moved_up = int((counted.latest > counted["first"]).sum())
    figures["distance_travelled"] = (moved_up, moved_up, len(counted))

    # 7: community orders ended in the period, of people who had started support by then.
    orders = read(
        "outcomes_order",
        [
            "id",
            "participant_id",
            "order_type",
            "start_date",
            "actual_end_date",
            "termination",
            "recorded_at",
        ],
        moments=("recorded_at",),
        dates=("start_date", "actual_end_date"),
    )
    orders = orders[orders.recorded_at < moment]
    first_start = (
        refs[refs.started_at.notna()]
        .assign(day=lambda f: local_day(f.started_at))
        .groupby("participant_id")
        .day.min()
        .rename("first_start")
    )
    community = orders[
        (orders.order_type == "community_order") & on_days(orders.actual_end_date)
    ].join(first_start, on="participant_id")
    community = community[community.first_start <= community.actual_end_date]
    completed = community[community.termination == "completed"].participant_id.nunique()
    figures["orders_completed"] = (completed, completed, community.participant_id.nunique())

    # 8: each person once from their first start in the period; the index date is the
    # release from the custodial sentence they were serving then, if any, else the start.
    cohort = started.sort_values(["started_at", "id"]).drop_duplicates("participant_id")
    cohort = cohort.assign(support_day=local_day(cohort.started_at))[
        ["participant_id", "support_day"]
    ]
    custody = orders[orders.order_type == "custodial"].merge(cohort, on="participant_id")
    custody = custody[
        (custody.start_date <= custody.support_day)
        & (custody.actual_end_date.isna() | (custody.actual_end_date > custody.support_day))
    ]
    custody = (
        custody.sort_values(["participant_id", "start_date", "id"])
        .drop_duplicates("participant_id", keep="last")
        .set_index("participant_id")
    )
    cohort["held"] = cohort.participant_id.isin(custody.index)
    # (A merge keeps the dates' type where nobody was in custody.)
    cohort = cohort.merge(
        custody.actual_end_date.rename("released_on"),
        left_on="participant_id",
        right_index=True,
        how="left",
    )
    cohort["in_custody_at_end"] = cohort.held & (
        cohort.released_on.isna() | (cohort.released_on > d1)
    )
    cohort["index_day"] = cohort.released_on.where(cohort.held, cohort.support_day)
    cohort["committed_before"] = cohort.index_day + pd.DateOffset(months=12)
    cohort["proven_before"] = cohort.index_day + pd.DateOffset(months=18)
    closed = cohort[~cohort.in_custody_at_end & (cohort.proven_before <= as_of)]
    offences = read(
        "outcomes_provenoffence",
        ["participant_id", "committed_on", "proven_on", "recorded_at"],
        moments=("recorded_at",),
        dates=("committed_on", "proven_on"),
    )
    offences = offences[offences.recorded_at < moment].merge(closed, on="participant_id")
    offences = offences[
        (offences.committed_on >= offences.index_day)
        & (offences.committed_on < offences.committed_before)
        & (offences.proven_on < offences.proven_before)
    ]
    not_reoffending = len(closed) - offences.participant_id.nunique()
    figures["not_reoffending"] = (not_reoffending, not_reoffending, len(closed))
    figures["not_reoffending: in custody at the end"] = (
        int(cohort.in_custody_at_end.sum()),
        None,
        None,
    )
    figures["not_reoffending: proven re-offences"] = (len(offences), None, None)
    return {key: tuple(_plain(x) for x in figure) for key, figure in figures.items()}


def _plain(value: Any) -> float | int | None:
    """A count as a Python int (for JSON); a mean (a float) and None as they are."""
    return value if value is None or isinstance(value, float) else int(value)


def _pandas_main(directories: list[str], runs: int, tz: str, first: str, last: str) -> None:
    """The pandas part, in the bench's venv: for each export directory, the figures and the
    median time of ``runs`` runs (reading included), as one line of JSON."""
    out = {}
    for directory in directories:
        path = Path(directory)
        figures = _pandas_figures(path, tz, first, last)
        ms = _median_ms(partial(_pandas_figures, path, tz, first, last), runs)
        out[directory] = {"ms": ms, "figures": figures}
    print(json.dumps(out))


BENCH_PYTHON = ROOT / ".venv" / "bench" / "bin" / "python"


def _pandas(
    directories: list[Path], runs: int, period: Any
) -> dict[str, tuple[float, dict[str, Triple]]] | None:
    """Run ``_pandas_main`` in .venv/bench (pandas is not in the project's venv); None,
    saying why, where that venv or pandas is missing."""
    from django.conf import settings

    if not BENCH_PYTHON.exists():
        print(
            f"\npandas: skipped, no {BENCH_PYTHON.relative_to(ROOT)} (python3.11 -m venv "
            ".venv/bench && .venv/bench/bin/pip install -r requirements-bench.txt)"
        )
        return None
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [str(BENCH_PYTHON), "-c", "import pandas"], capture_output=True, check=False
    )
    if done.returncode:
        print(
            f"\npandas: skipped, not installed in {BENCH_PYTHON.relative_to(ROOT)} "
            "(pip install -r requirements-bench.txt there)"
        )
        return None
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            str(BENCH_PYTHON),
            __file__,
            "--runs",
            str(runs),
            "--tz",
            settings.TIME_ZONE,
            "--period",
            f"{period.start}:{period.end}",
            "--pandas",
            *(str(directory) for directory in directories),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the pandas part failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        directory: (
            found[str(directory)]["ms"],
            {key: tuple(figure) for key, figure in found[str(directory)]["figures"].items()},
        )
        for directory in map(str, directories)
    }


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=50000, help="people in all")
    parser.add_argument("--services", type=int, default=1, help="services sharing them")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"time the services built before in {DATABASE} again (no build)",
    )
    # The pandas part, run by the bench itself in .venv/bench (see _pandas).
    parser.add_argument("--pandas", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--tz", help=argparse.SUPPRESS)
    parser.add_argument("--period", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pandas:
        first, last = args.period.split(":")
        _pandas_main(args.pandas, args.runs, args.tz, first, last)
        return
    print(f"load before: {_load()}")
    _setup_django(fresh=not args.reuse)

    from django.db import connection

    from pathways.accounts.models import Service
    from pathways.core.periods import half_year
    from pathways.outcomes.figures import mentoring_figures
    from pathways.outcomes.measures import BY_KEY, MEASURES, Services
    from pathways.outcomes.selectors import measures_for_period, measures_for_services

    if args.reuse:
        services = list(Service.objects.filter(slug__startswith="bench-").order_by("id"))
        if not services:
            sys.exit(f"--reuse: {DATABASE} holds no bench services: run without it first")
        print(f"reused the {len(services)} service(s) built before in {DATABASE}")
    else:
        started = time.perf_counter()
        services, steps = _build(args.participants, args.services)
        print(
            f"built {args.participants:,} participants in {len(services)} service(s) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        print("  " + ", ".join(f"{name} {s:.1f} s" for name, s in steps.items()))
    print("\nrows")
    for table, n in _rows().items():
        print(f"  {table:32} {n:>10,}")

    service = services[0]  # a typical service: the people are spread evenly
    together = Services(tuple(services))
    ids = [member.pk for member in services]
    period = half_year(PERIOD_DAY)
    print(f"\nperiod {period} ({period.key}), as at {AS_OF}; one service: {service.name}")

    def reoffending_breakdown(scope: Any) -> dict[str, int]:
        return dict(BY_KEY["not_reoffending"].compute(scope, period, AS_OF).breakdown)

    def one_service() -> list[Any]:
        return measures_for_period(service, period, as_of=AS_OF)

    def national() -> list[Any]:
        # The total of measures_for_services: every measure counted over the services.
        return [
            SimpleNamespace(measure=m, figure=m.compute(together, period, AS_OF)) for m in MEASURES
        ]

    registry = {
        "one": _registry(one_service(), reoffending_breakdown(service)),
        "national": _registry(national(), reoffending_breakdown(together)),
    }
    hand = {
        "one": _hand_sql([service.pk], period, AS_OF),
        "national": _hand_sql(ids, period, AS_OF),
    }
    mismatches = [
        *_compare(
            f"one service ({service.name}) against the hand SQL",
            registry["one"],
            hand["one"],
            "hand SQL",
        ),
        *_compare(
            f"national total ({len(services)} services) against the hand SQL",
            registry["national"],
            hand["national"],
            "hand SQL",
        ),
    ]

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        server_jit = cursor.fetchone()[0]
    print(f"\nmedian of {args.runs} runs, milliseconds (load {_load()})")
    jits = [server_jit] if server_jit == "off" else [server_jit, "off"]
    print(f"  {'':56} " + " ".join(f"{'jit ' + jit:>9}" for jit in jits))
    times: dict[str, list[float]] = {}
    for jit in jits:
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {jit}")
        for key, fn in (
            ("one", one_service),
            ("one hand", lambda: _hand_sql([service.pk], period, AS_OF)),
            ("national", national),
            ("national hand", lambda: _hand_sql(ids, period, AS_OF)),
        ):
            times.setdefault(key, []).append(_median_ms(fn, args.runs))
    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {server_jit}")
    ratios = {
        scope: [r / h for r, h in zip(times[scope], times[f"{scope} hand"], strict=True)]
        for scope in ("one", "national")
    }
    for label, values in (
        ("one service: measures_for_period (18 measures)", times["one"]),
        ("one service: hand SQL, one statement (the floor)", times["one hand"]),
        ("  ratio registry / hand SQL", ratios["one"]),
        (f"national total: 18 measures over {len(services)} services", times["national"]),
        ("national total: hand SQL, one statement (the floor)", times["national hand"]),
        ("  ratio registry / hand SQL", ratios["national"]),
    ):
        print(
            f"  {label:56} "
            + " ".join(f"{v:9.2f}" if "ratio" in label else f"{v:9.1f}" for v in values)
        )
    every = _median_ms(lambda: measures_for_services(services, period, as_of=AS_OF), args.runs)
    print(f"  {'every service and the total (measures_for_services)':56} {every:9.1f}")
    mentoring = _median_ms(partial(mentoring_figures, service, period, AS_OF), args.runs)
    print(f"  {'one service: mentoring figures (reads contacts)':56} {mentoring:9.1f}")
    # The dashboard's read of a closed half-year: its figures as at its last day are
    # counted once and kept (outcomes.KeptFigures), then read; they equal a live count.
    kept_figures = measures_for_period(service, period, as_of=period.end)
    mismatches += [
        f"kept: {result.measure.key}"
        for result in kept_figures
        if result.figure != result.measure.compute(service, period, period.end)
    ]
    kept = _median_ms(lambda: measures_for_period(service, period, as_of=period.end), args.runs)
    print(f"  {'one service: a kept half-year read (the dashboard)':56} {kept:9.1f}")
    # The same for every service and their total (the all-services dashboard): each
    # service's kept row and the kept total (outcomes.KeptTotal), equal to a live count.
    _each, kept_total = measures_for_services(services, period, as_of=period.end)
    mismatches += [
        f"kept total: {result.measure.key}"
        for result in kept_total
        if result.figure != result.measure.compute(together, period, period.end)
    ]
    kept_all = _median_ms(
        lambda: measures_for_services(services, period, as_of=period.end), args.runs
    )
    print(f"  {'every service and the total, a kept half-year read':56} {kept_all:9.1f}")

    each = {
        m.key: (
            _median_ms(partial(m.compute, service, period, AS_OF), args.runs),
            _median_ms(partial(m.compute, together, period, AS_OF), args.runs),
        )
        for m in MEASURES
    }
    print(f"\neach measure's compute alone (jit {server_jit}), median of {args.runs} runs, ms")
    print(f"  {'':32} {'one service':>12} {'national':>12}")
    for key, (one, all_) in sorted(each.items(), key=lambda item: -item[1][1]):
        print(f"  {key:32} {one:12.1f} {all_:12.1f}")
    print(
        f"  {'(sum)':32} {sum(v[0] for v in each.values()):12.1f} "
        f"{sum(v[1] for v in each.values()):12.1f}"
    )

    # pandas over CSV exports of the same tables (the export is not timed).
    with tempfile.TemporaryDirectory(prefix="measures-bench-") as tmp:
        directories = [Path(tmp) / "one-service", Path(tmp) / "national"]
        sizes = [_export(directories[0], [service.pk]), _export(directories[1], None)]
        print(
            f"\nCSV exports: one service {sizes[0] / 1e6:.1f} MB, national {sizes[1] / 1e6:.1f} MB"
        )
        found = _pandas(directories, args.runs, period)
    pandas_ratios: dict[str, float] = {}
    if found is not None:
        for scope, directory, ours in (
            ("one", directories[0], times["one"][0]),
            ("national", directories[1], times["national"][0]),
        ):
            ms, figures = found[str(directory)]
            label = "one service" if scope == "one" else "national total"
            mismatches += [
                f"pandas {label}: {key}"
                for key in _compare(
                    f"{label}: pandas over the CSVs", registry[scope], figures, "pandas"
                )
            ]
            pandas_ratios[scope] = ms / ours
        print(
            f"\npandas (reading the CSVs included) against Pathways (jit {server_jit}), "
            f"median of {args.runs} runs, ms"
        )
        for scope, directory in (("one", directories[0]), ("national", directories[1])):
            label = "one service" if scope == "one" else "national total"
            print(
                f"  {label:16} pandas {found[str(directory)][0]:10.1f}   Pathways "
                f"{times[scope][0]:10.1f}   Pathways {pandas_ratios[scope]:.1f}x faster"
            )
        # What stands in the way of the goal for a live count: the floor itself, one
        # hand-written statement, against the same pandas.
        for scope, directory in (("one", directories[0]), ("national", directories[1])):
            label = "one service" if scope == "one" else "national total"
            floor = times[f"{scope} hand"][0]
            print(
                f"  {label:16} pandas {found[str(directory)][0]:10.1f}   hand SQL "
                f"{floor:10.1f}   the floor {found[str(directory)][0] / floor:.1f}x faster"
            )

    print(f"\nload after: {_load()}")
    print(f"\n{'figure':68} {'today':>10} {'goal':>10}  met")
    rows = [
        (
            "all measures for a half-year vs hand SQL: one service",
            f"{ratios['one'][0]:.2f}x",
            "<= 1.5x",
            ratios["one"][0] <= 1.5,
        ),
        (
            "all measures for a half-year vs hand SQL: national total",
            f"{ratios['national'][0]:.2f}x",
            "<= 1.5x",
            ratios["national"][0] <= 1.5,
        ),
    ]
    for scope, label in (("one", "one service"), ("national", "national total")):
        if scope in pandas_ratios:
            rows.append(
                (
                    f"the same figures vs pandas over CSV exports: {label}",
                    f"{pandas_ratios[scope]:.1f}x",
                    ">= 10x",
                    pandas_ratios[scope] >= 10,
                )
            )
        else:
            rows.append(
                (f"the same figures vs pandas over CSV exports: {label}", "not run", ">= 10x", None)
            )
    for scope, label in (("one", "one service"), ("national", "national total")):
        if scope in pandas_ratios:
            floor = pandas_ratios[scope] * times[scope][0] / times[f"{scope} hand"][0]
            rows.append(
                (
                    f"  for comparison, the hand SQL (the floor) vs pandas: {label}",
                    f"{floor:.1f}x",
                    "",
                    None,
                )
            )
    if "one" in pandas_ratios:
        ratio = pandas_ratios["one"] * times["one"][0] / kept
        rows.append(
            (
                "a kept (closed) half-year vs pandas over CSV exports: one service",
                f"{ratio:.0f}x",
                ">= 10x",
                ratio >= 10,
            )
        )
    if "national" in pandas_ratios:
        ratio = pandas_ratios["national"] * times["national"][0] / kept_all
        rows.append(
            (
                "a kept (closed) half-year, all services and total vs pandas: national",
                f"{ratio:.0f}x",
                ">= 10x",
                ratio >= 10,
            )
        )
    for label, today, goal, met in rows:
        print(
            f"{label:68} {today:>10} {goal:>10}  {'-' if met is None else 'yes' if met else 'no'}"
        )
    if mismatches:
        sys.exit(f"figures differ: {', '.join(mismatches)}")


if __name__ == "__main__":
    main()
