"""The retention schedule and the purge that applies it.

How long a person's records are kept is counted from the end of their last episode:
``SUPPORT_RETENTION_YEARS`` after support (or an accepted referral) ended,
``DECLINED_RETENTION_YEARS`` after a declined referral. A person with an open referral is
never purged. The purge deletes everything linked to the person (found by the same graph
walk as subject access)
in one transaction per person, and audits it with the person's id only. Audit events are
kept, unchanged (they are append-only and chained): they hold ids, not names, so afterwards
they point at nothing. The periods are ``schedule.py``'s; ``inventory.py`` states them per
record; docs/decisions/0011-purge-and-frozen-figures.md says why.

The purge runs as a background task (``purge_expired_records``, Django's Tasks API through
django-tasks, database backend); ``manage.py purge_expired`` enqueues it (daily, from cron).
Before deleting anything it freezes the figures of the closed named periods that the
records about to go count in (``outcomes.snapshots.freeze_periods_touching``), so a closed
period's figures do not change after a purge.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import connection, models, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_tasks import task

from pathways.core.audit import AUDIT_PURGED, AuditKind, audit, audit_purge
from pathways.core.models import AuditEvent, Feedback
from pathways.data_protection.schedule import (
    AUDIT_RETENTION_YEARS,
    DECLINED_RETENTION_YEARS,
    EMPLOYER_CONTACT_RETENTION_YEARS,
    FEEDBACK_RETENTION_YEARS,
    IMPORT_REPORT_RETENTION_YEARS,
    STAFF_RETENTION_YEARS,
    SUPPORT_RETENTION_YEARS,
)
from pathways.data_protection.subject_access import linked_models
from pathways.outcomes.models import Order
from pathways.outcomes.snapshots import freeze_periods_touching
from pathways.participants.models import Participant
from pathways.placements.models import Placement, SustainmentCheck
from pathways.plans.models import Reading
from pathways.referrals.models import Referral


def years_after(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same date ``years`` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def expired(now: datetime.datetime) -> QuerySet[Participant]:
    """The people whose records have all passed their retention, as one query, so the
    daily purge does not walk every person. Someone is kept while any of their referrals
    is open, declined less than the declined retention ago, or ended less than the support
    retention ago."""
    support_cutoff = years_after(now, -SUPPORT_RETENTION_YEARS)
    declined_cutoff = years_after(now, -DECLINED_RETENTION_YEARS)
    episodes = Referral.objects.filter(participant=OuterRef("pk"))
    kept = episodes.filter(
        Q(declined_at__isnull=True, ended_at__isnull=True)
        | Q(declined_at__gt=declined_cutoff)
        | Q(declined_at__isnull=True, ended_at__gt=support_cutoff)
    )
    return Participant.objects.filter(Exists(episodes)).exclude(Exists(kept)).order_by("pk")


def expired_people(now: datetime.datetime) -> list[int]:
    """Ids of the people whose records have all passed their retention (``expired``)."""
    return list(expired(now).values_list("pk", flat=True))


# The dates on which a person's records count in a figure (docs/measures.md), by model:
# the measures, and the RR Board report's distance travelled, placements, equality and
# contract figures. Proven offences are left out: measure 8 counts them in the period in
# which support started (``started_at``), whatever their own dates.
COUNTED_DATES: tuple[tuple[type[models.Model], str, tuple[str, ...]], ...] = (
    (
        Referral,
        "participant__in",
        ("received_at", "accepted_at", "started_at", "ended_at", "declined_at"),
    ),
    (Placement, "participant__in", ("put_forward_at", "started_on", "completed_on")),
    (SustainmentCheck, "placement__participant__in", ("due_on",)),
    (Order, "participant__in", ("actual_end_date",)),
    (Reading, "referral__participant__in", ("taken_on",)),
)


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def counted_span(people: QuerySet[Participant]) -> tuple[datetime.date, datetime.date] | None:
    """The first and last local day on which the people's records can count in any figure
    (one aggregate query per kind of record, not one per person); None if there are none.
    A caseload counts every day between a start and an end, so the span is a range."""
    days: list[datetime.date] = []
    for model, link, fields in COUNTED_DATES:
        found = model._default_manager.filter(**{link: people}).aggregate(
            **{f"first_{name}": Min(name) for name in fields},
            **{f"last_{name}": Max(name) for name in fields},
        )
        days.extend(_day(value) for value in found.values() if value is not None)
    return (min(days), max(days)) if days else None


def _records_of(participant: Participant) -> list[models.Model]:
    """Everything linked to the person, the person first (the subject access walk)."""
    found: list[models.Model] = [participant]
    seen = {(participant._meta.label_lower, participant.pk)}
    queue: list[models.Model] = [participant]
    while queue:
        instance = queue.pop(0)
        for model, field_name in linked_models(type(instance)):
            for related in model._default_manager.filter(**{field_name: instance.pk}):
                key = (related._meta.label_lower, related.pk)
                if key not in seen:
                    seen.add(key)
                    found.append(related)
                    queue.append(related)
    return found


@transaction.atomic
def participant_purge(*, participant_id: int) -> dict[str, int]:
    """Delete the person and everything linked to them; audited. Foreign keys are checked
    at commit (deferred on both databases), so the order of deletion does not matter."""
    participant = Participant.objects.select_for_update().get(pk=participant_id)
    records = _records_of(participant)
    counts = Counter(record._meta.label_lower for record in records)
    audit(
        actor=None,
        kind=AuditKind.CHANGE,
        action="participant.purged",
        obj=participant,
        subject_id=participant.pk,
        summary="Records deleted at the end of their retention period",
        detail={"records": dict(sorted(counts.items()))},
        episode_id=None,
    )
    by_model: dict[type[models.Model], list[object]] = {}
    for record in records:
        for m2m in record._meta.many_to_many:
            getattr(record, m2m.name).clear()
        by_model.setdefault(type(record), []).append(record.pk)
    for model, pks in by_model.items():
        model._default_manager.filter(pk__in=pks)._raw_delete(model._default_manager.db)
    return dict(counts)


@task()
def purge_expired_records() -> int:
    """The background purge: first the closed periods that the expired people's records
    count in are frozen (each snapshot committed as it is taken), then every person past
    their retention is deleted, one transaction each. A failure while freezing deletes
    nothing; a failure after it leaves the snapshots, and the next run (which finds the
    same people, and their periods already frozen) deletes the rest. Then staff accounts,
    employers' contacts, import reports and old audit events (none of which any figure
    counts)."""
    now = timezone.now()
    people = expired(now)
    ids = list(people.values_list("pk", flat=True))
    span = counted_span(people) if ids else None
    if span is not None:
        freeze_periods_touching(*span, today=timezone.localdate(now))
    purged = 0
    for participant_id in ids:
        participant_purge(participant_id=participant_id)
        purged += 1
    purge_other_records(now)
    return purged


# Records about staff, employers' staff and imports, and the audit trail itself. Each is
# applied in bulk (a few statements, whatever the size of the service) and audited with
# counts and ids only.


@transaction.atomic
def staff_anonymise(*, now: datetime.datetime) -> list[int]:
    """Accounts inactive for longer than their retention lose their name, username, email,
    organisation, password, authenticators and single sign-on binding. The account row
    stays, so the records a person made still say an account made them ("former-user-12")."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pathways.accounts.models import User

    ids = list(
        User.objects.filter(
            is_active=False,
            anonymised_at__isnull=True,
            deactivated_at__lt=years_after(now, -STAFF_RETENTION_YEARS),
        )
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    User.objects.filter(pk__in=ids).update(
        username=Concat(Value("former-user-"), Cast("pk", models.CharField())),
        first_name="",
        last_name="",
        email="",
        organisation="",
        oidc_subject="",
        password=make_password(None),
        anonymised_at=now,
    )
    TOTPDevice.objects.filter(user_id__in=ids).delete()
    StaticDevice.objects.filter(user_id__in=ids).delete()
    audit_purge(
        object_type="accounts.user",
        action="user.anonymised",
        summary="Staff accounts anonymised at the end of their retention period",
        detail={"users": ids},
    )
    return ids


@transaction.atomic
def employer_contacts_purge(*, now: datetime.datetime) -> int:
    """Employers' contacts go ``EMPLOYER_CONTACT_RETENTION_YEARS`` after the employer's last
    engagement (or after they were added, if later, or if the employer has never been
    engaged)."""
    from pathways.employers.models import EmployerContact, Engagement

    cutoff = years_after(now, -EMPLOYER_CONTACT_RETENTION_YEARS)
    recent = Engagement.objects.filter(employer=OuterRef("employer"), on__gte=cutoff.date())
    expired = EmployerContact.objects.filter(added_at__lt=cutoff).exclude(Exists(recent))
    ids = list(expired.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    EmployerContact.objects.filter(pk__in=ids).delete()
    audit_purge(
        object_type="employers.employercontact",
        action="employercontact.purged",
        summary="Employer contacts deleted at the end of their retention period",
        detail={"contacts": ids},
    )
    return len(ids)


@transaction.atomic
def import_reports_purge(*, now: datetime.datetime) -> int:
    """``IMPORT_REPORT_RETENTION_YEARS`` after an import, its error report (which quotes
    CRNs and rows of the extract) and its file name go; the counts stay."""
    from pathways.imports.models import ImportBatch

    cutoff = years_after(now, -IMPORT_REPORT_RETENTION_YEARS)
    expired = ImportBatch.objects.filter(uploaded_at__lt=cutoff).exclude(
        report__has_key="deleted_on"
    )
    ids = list(expired.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    ImportBatch.objects.filter(pk__in=ids).update(
        file_name="", report={"deleted_on": timezone.localdate(now).isoformat()}
    )
    audit_purge(
        object_type="imports.importbatch",
        action="importbatch.report_purged",
        summary="Import error reports deleted at the end of their retention period",
        detail={"imports": ids},
    )
    return len(ids)


@transaction.atomic
def audit_events_purge(*, now: datetime.datetime) -> int:
    """Audit events older than their retention go, oldest first, in one statement. The
    chain stays provable: before deleting, an ``audit.purged`` event records the id and
    hash of the last event deleted, and ``verify_audit`` starts the chain from there."""
    # The trigger judges age by the database's clock: never go beyond it, and keep a day's
    # margin besides.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            now = min(now, cursor.fetchone()[0])
    cutoff = years_after(now, -AUDIT_RETENTION_YEARS) - datetime.timedelta(days=1)
    # Events are in time order along the chain, so the expired ones are a prefix of it.
    expired = AuditEvent.objects.filter(at__lt=cutoff)
    last = expired.order_by("-id").values("id", "hash").first()
    if last is None:
        return 0
    count = AuditEvent.objects.filter(id__lte=last["id"]).count()
    audit_purge(
        object_type="core.auditevent",
        action=AUDIT_PURGED,
        summary="Audit events deleted at the end of their retention period",
        detail={"through_id": last["id"], "through_hash": last["hash"], "count": count},
    )
    AuditEvent.objects.filter(id__lte=last["id"])._raw_delete(AuditEvent.objects.db)
    return count


@transaction.atomic
def feedback_purge(*, now: datetime.datetime) -> int:
    """``FEEDBACK_RETENTION_YEARS`` after it was given, feedback goes (its suggestion is
    free text)."""
    cutoff = years_after(now, -FEEDBACK_RETENTION_YEARS)
    deleted, _by_model = Feedback.objects.filter(given_at__lt=cutoff).delete()
    if deleted:
        audit_purge(
            object_type="core.feedback",
            action="feedback.purged",
            summary="Feedback deleted at the end of its retention period",
            detail={"count": deleted},
        )
    return deleted


def purge_other_records(now: datetime.datetime) -> dict[str, int]:
    """Everything but people's records: staff accounts, employers' contacts, import
    reports, feedback, then the audit trail."""
    return {
        "users": len(staff_anonymise(now=now)),
        "employer_contacts": employer_contacts_purge(now=now),
        "import_reports": import_reports_purge(now=now),
        "feedback": feedback_purge(now=now),
        "audit_events": audit_events_purge(now=now),
    }
