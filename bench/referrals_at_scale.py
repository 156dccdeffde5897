"""How the referral pages and decisions hold up as the data grows (PostgreSQL).

Builds the same shape of data at two scales in a database of its own, then times the
pages people use most (through Django's test client, templates included) and the
capacity-checked decisions. Prints the median of several runs at each scale and the
ratio large / small: a ratio near 1 means the cost does not grow with the data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/referrals_at_scale.py [--small 20] [--large 200] [--runs 7]

Each service has 3,000 referrals (capacity 30 active, 200 waiting, 50 awaiting a decision,
20 declined, the rest ended) and each person 10 audit events; each episode that started has
10 contacts and two distance-travelled readings of six areas. --small and --large are the
numbers of services. The database ``pathways_bench`` is dropped and made anew.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_SERVICE = 3000
ACTIVE, WAITING, RECEIVED, DECLINED = 30, 200, 50, 20
EVENTS_PER_PERSON = 10
CONTACTS_PER_EPISODE = 10


def _bench_database_url() -> str:
    import psycopg

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS pathways_bench")
        conn.execute("CREATE DATABASE pathways_bench")
    return admin_url.rsplit("/", 1)[0] + "/pathways_bench"


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _bench_database_url()
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Test settings: plain static storage, so no collectstatic is needed to render pages.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _grow_to(services: int) -> None:
    """Add services until there are ``services``; rows are made in SQL, not per person."""
    from django.db import connection

    from pathways.accounts.models import Area, Patch, Service, User
    from pathways.core.roles import Role
    from pathways.plans.models import Instrument
    from pathways.plans.reference import DEFAULT_INSTRUMENT
    from pathways.referrals.models import EndReason

    end_reason = EndReason.objects.get(code="sustained-work").pk
    instrument = Instrument.objects.get(name=DEFAULT_INSTRUMENT).pk
    while Service.objects.count() < services:
        n = Service.objects.count() + 1
        service = Service.objects.create(name=f"Service {n}", slug=f"service-{n}", capacity=ACTIVE)
        patch = Patch.objects.create(service=service, name="North")
        area = Area.objects.create(patch=patch, name=f"Area {n}")
        referrer = User.objects.create(
            username=f"referrer-{n}", role=Role.REFERRER, service=service
        )
        User.objects.create(username=f"manager-{n}", role=Role.MANAGER, service=service)
        worker = User.objects.create(
            username=f"worker-{n}", role=Role.WORKER, service=service, patch=patch
        )
        ended = PER_SERVICE - ACTIVE - WAITING - RECEIVED - DECLINED
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH people AS (
                  INSERT INTO participants_participant
                    (first_name, last_name, date_of_birth, crn, pnc_id, prison_number, gender,
                     phone, email, address, area_id, location, created_at, created_by_id,
                 processing_restricted_reason)
                  SELECT 'Person' || g, 'Surname' || (g %% 997), date '1970-01-01' + (g %% 12000),
                         chr(65 + (%(base)s + g) / 1000000) || lpad(((%(base)s + g) %% 1000000)::text, 6, '0'),
                         '', '', 'man', '', '', '', %(area)s, 'community',
                         now() - make_interval(hours => %(n)s - g), %(referrer)s, ''
                  FROM generate_series(1, %(n)s) AS g
                  RETURNING id, created_at
                ), numbered AS (
                  SELECT id, created_at, row_number() OVER (ORDER BY id) AS k FROM people
                )
                INSERT INTO referrals_referral
                  (service_id, participant_id, patch_id, referred_by_id, source, cohort, order_type,
                   prison_name, reason, ete_needs, risk_information, risk_flags,
                   accessibility_needs, interpreter_language, consent_given, consent_date,
                   received_at, accepted_at, declined_at, started_at, ended_at, end_reason_id,
                   worker_id, override_reason, decline_note, end_note, closing_summary,
                   order_ended_reason, held_matches, hold_resolution, hold_reason,
                   proposed_changes)
                SELECT %(service)s, id, %(patch)s, %(referrer)s, 'probation', 'iom', 'community_order',
                       '', 'Bench', 'Bench', '', '[]', '', '', true, created_at::date,
                       created_at,
                       CASE WHEN k <= %(ended)s + %(active)s + %(waiting)s THEN created_at + interval '1 hour' END,
                       CASE WHEN k > %(n)s - %(declined)s THEN created_at + interval '1 hour' END,
                       CASE WHEN k <= %(ended)s + %(active)s THEN created_at + interval '2 hours' END,
                       CASE WHEN k <= %(ended)s THEN created_at + interval '30 days' END,
                       CASE WHEN k <= %(ended)s THEN %(reason)s END,
                       CASE WHEN k <= %(ended)s + %(active)s THEN %(worker)s END,
                       '', '', '', '', '', '[]', '', '', '{}'
                FROM numbered
                """,
                {
                    "n": PER_SERVICE,
                    "base": (n - 1) * PER_SERVICE,
                    "area": area.pk,
                    "referrer": referrer.pk,
                    "service": service.pk,
                    "patch": patch.pk,
                    "worker": worker.pk,
                    "ended": ended,
                    "active": ACTIVE,
                    "waiting": WAITING,
                    "declined": DECLINED,
                    "reason": end_reason,
                },
            )
            cursor.execute(
                """
                INSERT INTO core_auditevent
                  (at, actor_id, kind, action, object_type, object_id, subject_id, summary, detail,
                   prev_hash, hash)
                SELECT r.received_at + make_interval(days => e), %(worker)s,
                       CASE WHEN e %% 2 = 0 THEN 'view' ELSE 'change' END,
                       'participant.viewed', 'participants.participant', r.participant_id::text,
                       r.participant_id, 'Bench event', '{}',
                       -- Filler hashes: the pages read real-sized rows, but these events are
                       -- not a verifiable chain (verify_audit is never run on this database).
                       '', encode(sha256(convert_to(r.id::text || ':' || e::text, 'UTF8')), 'hex')
                FROM referrals_referral r, generate_series(1, %(events)s) AS e
                WHERE r.service_id = %(service)s
                """,
                {"worker": worker.pk, "service": service.pk, "events": EVENTS_PER_PERSON},
            )
            # Support given: weekly contacts and an intake and a review reading per episode.
            cursor.execute(
                """
                INSERT INTO contacts_contact
                  (referral_id, starts_at, mode, duration_minutes, location, booked_by_id,
                   created_at, reschedule_reason, outcome_recorded_at, outcome_recorded_by_id,
                   happened, attended, not_happened_reason, notes, tell_referrer)
                SELECT r.id, r.started_at + make_interval(days => 7 * c), 'phone', 30, '',
                       %(worker)s, r.started_at, '', r.started_at, %(worker)s,
                       c %% 6 <> 0, CASE WHEN c %% 6 = 0 THEN 'no' ELSE 'yes' END,
                       CASE WHEN c %% 6 = 0 THEN 'unacceptable' ELSE '' END, 'Bench', false
                FROM referrals_referral r, generate_series(0, %(contacts)s - 1) AS c
                WHERE r.service_id = %(service)s AND r.started_at IS NOT NULL
                """,
                {"worker": worker.pk, "service": service.pk, "contacts": CONTACTS_PER_EPISODE},
            )
            cursor.execute(
                """
                WITH readings AS (
                  INSERT INTO plans_reading
                    (referral_id, instrument_id, taken_on, kind, note, taken_by_id, created_at)
                  SELECT r.id, %(instrument)s, (r.started_at + make_interval(days => k))::date,
                         CASE WHEN k = 1 THEN 'intake' ELSE 'review' END, '', %(worker)s,
                         r.started_at
                  FROM referrals_referral r, unnest(array[1, 28]) AS k
                  WHERE r.service_id = %(service)s AND r.started_at IS NOT NULL
                  RETURNING id, referral_id, kind
                )
                INSERT INTO plans_readingscore (reading_id, area_id, score)
                SELECT readings.id, a.id,
                       least(10, 1 + (readings.referral_id + a.id) %% 7
                                 + CASE WHEN readings.kind = 'review' THEN a.id %% 3 ELSE 0 END)
                FROM readings, plans_instrumentarea a
                WHERE a.instrument_id = %(instrument)s
                """,
                {"worker": worker.pk, "service": service.pk, "instrument": instrument},
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _measure(runs: int) -> dict[str, float]:
    from django.db import transaction
    from django.test import Client

    from pathways.accounts.models import User
    from pathways.referrals import services
    from pathways.referrals.models import EndReason, Referral

    manager = User.objects.get(username="manager-1")
    worker = User.objects.get(username="worker-1")
    one_active = Referral.objects.filter(service_id=manager.service_id).active().first()
    assert one_active is not None
    person = one_active.participant_id
    as_manager, as_worker = Client(), Client()
    as_manager.force_login(manager)
    as_worker.force_login(worker)

    def page(client: Client, path: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    def accept_then_undo() -> None:
        # A decision on a full service (joins the waiting list), rolled back.
        with transaction.atomic():
            received = Referral.objects.filter(
                service_id=manager.service_id, accepted_at__isnull=True, declined_at__isnull=True
            ).first()
            assert received is not None
            services.referral_accept(actor=manager, referral=received)
            transaction.set_rollback(True)

    reason = EndReason.objects.get(code="moved-away")

    def end_then_undo() -> None:
        # Ending support frees a place that goes to the head of the waiting list.
        with transaction.atomic():
            services.referral_end(
                actor=manager, referral=one_active, reason=reason, closing_summary="Bench"
            )
            transaction.set_rollback(True)

    return {
        "referral list, page 1 (manager)": _median_ms(page(as_manager, "/referrals/"), runs),
        "referral list, page 100 (manager)": _median_ms(
            page(as_manager, "/referrals/?page=100"), runs
        ),
        "waiting list, page 1 (manager)": _median_ms(page(as_manager, "/waiting-list/"), runs),
        "waiting list, page 8 (manager)": _median_ms(
            page(as_manager, "/waiting-list/?page=8"), runs
        ),
        "caseload (worker)": _median_ms(page(as_worker, "/caseload/"), runs),
        "person's record with timeline": _median_ms(
            page(as_manager, f"/participants/{person}/"), runs
        ),
        "who viewed the record": _median_ms(
            page(as_manager, f"/participants/{person}/access-log/"), runs
        ),
        "service overview (aggregates)": _median_ms(page(as_manager, "/service/"), runs),
        "to do (worker)": _median_ms(page(as_worker, "/to-do/"), runs),
        "contacts of one person": _median_ms(
            page(as_manager, f"/referrals/{one_active.pk}/contacts/"), runs
        ),
        "distance travelled of one person (chart)": _median_ms(
            page(as_manager, f"/referrals/{one_active.pk}/progress/"), runs
        ),
        "distance travelled, service (aggregates)": _median_ms(
            page(
                as_manager,
                "/service/distance-travelled/?start-day=1&start-month=1"
                "&start-year=2000&end-day=31&end-month=12&end-year=2099",
            ),
            runs,
        ),
        "accept when full (service)": _median_ms(accept_then_undo, runs),
        "end support + offer place (service)": _median_ms(end_then_undo, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20, help="services at the small scale")
    parser.add_argument("--large", type=int, default=200, help="services at the large scale")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure")
    args = parser.parse_args()
    _setup_django()
    from pathways.referrals.models import Referral

    results = {}
    for services in (args.small, args.large):
        started = time.perf_counter()
        _grow_to(services)
        rows = Referral.objects.count()
        print(
            f"built {services} services, {rows:,} referrals in {time.perf_counter() - started:.0f} s"
        )
        results[rows] = _measure(args.runs)
    (small_rows, small), (large_rows, large) = results.items()
    print(f"\nmedian of {args.runs} runs, milliseconds")
    print(f"{'':40} {small_rows:>12,} {large_rows:>12,}   ratio")
    for name in small:
        print(
            f"{name:40} {small[name]:12.1f} {large[name]:12.1f}   {large[name] / small[name]:5.2f}"
        )


if __name__ == "__main__":
    main()
