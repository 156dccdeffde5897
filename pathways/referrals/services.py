"""Changes to referrals. Each function is atomic and writes its audit event in the same
transaction. Rows are locked in one order (service, then referral) so that concurrent
decisions queue rather than clash; a decision on a referral that changed meanwhile
raises ``StateChanged``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.reference import is_retired
from pathways.core.roles import Role
from pathways.participants.guards import unrestricted
from pathways.participants.models import Participant
from pathways.referrals.access import locked_referral
from pathways.referrals.eligibility import eligibility_problems
from pathways.referrals.models import (
    DeclineReason,
    EndReason,
    Reason,
    Referral,
    ReferralAmendment,
)
from pathways.referrals.status import ReferralStatus

# The fields a referral form carries, split by where they are kept.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "crn",
    "pnc_id",
    "prison_number",
    "gender",
    "phone",
    "email",
    "address",
    "area",
    "location",
)
# Contact details a later referral brings up to date on a known person.
PERSON_CONTACT_FIELDS = ("phone", "email", "address", "area", "location")
DETAIL_FIELDS = (
    "source",
    "cohort",
    "order_type",
    "order_end_date",
    "prison_name",
    "expected_release_date",
    "reason",
    "ete_needs",
    "risk_information",
    "risk_flags",
    "accessibility_needs",
    "interpreter_language",
    "consent_given",
    "consent_date",
)


def _lock_service(service_id: int) -> Service:
    return Service.objects.select_for_update().get(pk=service_id)


def _check_eligible(person: dict[str, Any], details: dict[str, Any], on: datetime.date) -> None:
    problems = eligibility_problems(
        date_of_birth=person["date_of_birth"],
        referral_date=on,
        cohort=details["cohort"],
        source=details["source"],
        prison_name=details.get("prison_name", ""),
        prison_number=person.get("prison_number", ""),
        expected_release_date=details.get("expected_release_date"),
    )
    if not details.get("consent_given"):
        problems.append("The person must consent to the referral")
    if problems:
        raise RuleBroken(". ".join(problems) + ".")


def _check_reason(reason: Reason, note: str, needs_note_message: str) -> None:
    if is_retired(reason):
        raise RuleBroken("That reason is no longer in use. Choose another.")
    if reason.needs_note and not note.strip():
        raise RuleBroken(needs_note_message)


def _check_area(service: Service, area: Any) -> None:
    if area.patch.service_id != service.pk:
        raise RuleBroken("That area is not covered by this service.")


@transaction.atomic
def referral_create(
    *,
    actor: User,
    service: Service,
    person: dict[str, Any],
    details: dict[str, Any],
    existing_participant: Participant | None = None,
) -> Referral:
    """Record a new referral: for a new person, or for a known person the user confirmed."""
    require(actor, Action.REFER)
    if actor.service_id != service.pk:
        raise NotPermitted("You can only refer to your own service.")
    now = timezone.now()
    _check_eligible(person, details, timezone.localdate(now))
    area = person["area"]
    _check_area(service, area)
    if existing_participant is not None:
        participant = Participant.objects.select_for_update().get(pk=existing_participant.pk)
        unrestricted(participant.pk)
        if Referral.objects.filter(participant=participant, service=service).open().exists():
            raise RuleBroken(
                "This person already has an open referral to the service. "
                "Amend that referral instead."
            )
        for name in PERSON_CONTACT_FIELDS:
            setattr(participant, name, person[name])
        for name in ("pnc_id", "prison_number"):
            if person.get(name) and not getattr(participant, name):
                setattr(participant, name, person[name])
        participant.save()
    else:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    **{name: person[name] for name in PERSON_FIELDS},
                    created_by=actor,
                    created_at=now,
                )
        except IntegrityError:
            raise StateChanged(
                "A person with this CRN is already known to the service. Check the CRN."
            ) from None
    referral = Referral.objects.create(
        service=service,
        participant=participant,
        patch=area.patch,
        referred_by=actor,
        received_at=now,
        **{name: details[name] for name in DETAIL_FIELDS},
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.created",
        obj=referral,
        subject_id=participant.pk,
        summary=f"Referral received from {referral.get_source_display()}",
        detail={"existing_participant": existing_participant is not None},
    )
    return referral


def _display(model: type[Model], name: str, value: Any) -> str:
    field = model._meta.get_field(name)
    if value in (None, "", []):
        return ""
    choices = dict(getattr(field, "choices", None) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    return str(choices.get(value, value))


@transaction.atomic
def referral_amend(
    *,
    actor: User,
    referral: Referral,
    person: dict[str, Any],
    details: dict[str, Any],
    reason: str,
) -> ReferralAmendment:
    """Change a sent referral; every changed value goes into its change log."""
    require(actor, Action.AMEND_REFERRAL)
    locked = locked_referral(actor, referral)
    if not locked.is_open:
        raise RuleBroken("A referral that is closed cannot be amended.")
    if not reason.strip():
        raise RuleBroken("Enter why you are amending the referral.")
    _check_eligible(person, details, timezone.localdate(locked.received_at))
    _check_area(locked.service, person["area"])
    participant = Participant.objects.select_for_update().get(pk=locked.participant_id)
    changes: dict[str, list[str]] = {}
    for model, obj, names, values in (
        (Participant, participant, PERSON_FIELDS, person),
        (Referral, locked, DETAIL_FIELDS, details),
    ):
        for name in names:
            old, new = getattr(obj, name), values[name]
            if old != new:
                label = str(getattr(model._meta.get_field(name), "verbose_name", name))
                label = label.capitalize()
                changes[label] = [_display(model, name, old), _display(model, name, new)]
                setattr(obj, name, new)
    if not changes:
        raise RuleBroken("You have not changed anything.")
    if locked.patch_id != participant.area.patch_id and locked.status != ReferralStatus.ACTIVE:
        locked.patch = participant.area.patch
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        raise RuleBroken("Another person already has that CRN.") from None
    locked.save()
    amendment = ReferralAmendment.objects.create(
        referral=locked, by=actor, at=timezone.now(), reason=reason.strip(), changes=changes
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.amended",
        obj=locked,
        subject_id=participant.pk,
        summary="Referral amended: " + ", ".join(changes),
        detail={"fields": list(changes)},
    )
    return amendment


def _fill_free_places(*, service: Service, now: datetime.datetime, actor: User) -> int:
    """Give free places to the head of the waiting list. The service row must be locked."""
    in_service = Referral.objects.filter(service=service)
    free = in_service.free_places(service.capacity)
    if free == 0:
        return 0
    heads = list(in_service.waiting().queue_order().select_for_update()[:free])
    for head in heads:
        head.started_at = now
        head.save(update_fields=["started_at"])
        audit(
            actor=actor,
            kind=AuditKind.CHANGE,
            action="referral.place_offered",
            obj=head,
            subject_id=head.participant_id,
            summary="A place became free: offered from the head of the waiting list",
        )
    return len(heads)


@transaction.atomic
def referral_accept(*, actor: User, referral: Referral, override_reason: str = "") -> Referral:
    """Accept a referral. It takes a free place, else joins the waiting list in order.

    A manager may give a place over capacity only with a reason (audited).
    """
    require(actor, Action.TRIAGE)
    service = _lock_service(referral.service_id)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.RECEIVED:
        raise StateChanged("This referral has already been decided.")
    participant = locked.participant
    _check_eligible(
        {"date_of_birth": participant.date_of_birth, "prison_number": participant.prison_number},
        {name: getattr(locked, name) for name in DETAIL_FIELDS},
        timezone.localdate(locked.received_at),
    )
    now = timezone.now()
    _fill_free_places(service=service, now=now, actor=actor)
    locked.accepted_at = now
    locked.accepted_by = actor
    has_place = Referral.objects.filter(service=service).free_places(service.capacity) > 0
    override = override_reason.strip()
    if has_place:
        locked.started_at = now
        summary = "Referral accepted: took a place on the service"
    elif override:
        locked.started_at = now
        locked.override_reason = override
        summary = "Referral accepted over capacity by manager override"
    else:
        summary = "Referral accepted: joined the waiting list"
    locked.save()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.accepted",
        obj=locked,
        subject_id=locked.participant_id,
        summary=summary,
        detail={"override": bool(override) and not has_place},
    )
    return locked


@transaction.atomic
def referral_decline(
    *, actor: User, referral: Referral, reason: DeclineReason, note: str = ""
) -> Referral:
    require(actor, Action.TRIAGE)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.RECEIVED:
        raise StateChanged("This referral has already been decided.")
    _check_reason(reason, note, "Explain why the referral is declined.")
    locked.declined_at = timezone.now()
    locked.declined_by = actor
    locked.decline_reason = reason
    locked.decline_note = note.strip()
    locked.save()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.declined",
        obj=locked,
        subject_id=locked.participant_id,
        summary=f"Referral declined: {reason.label}",
        detail={"reason": reason.code},
    )
    return locked


@transaction.atomic
def referral_allocate(*, actor: User, referral: Referral, worker: User) -> Referral:
    """Allocate an active participant to a support worker of the person's patch."""
    require(actor, Action.ALLOCATE)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.ACTIVE:
        raise StateChanged("Only a person receiving support can be allocated.")
    if worker.role != Role.WORKER or not worker.is_active or worker.service_id != locked.service_id:
        raise RuleBroken("Choose a support worker of this service.")
    if worker.patch_id != locked.patch_id:
        raise RuleBroken(f"{worker} does not work in the {locked.patch.name} patch.")
    if locked.worker_id == worker.pk:
        raise RuleBroken(f"This person is already allocated to {worker}.")
    locked.worker = worker
    locked.allocated_at = timezone.now()
    locked.save(update_fields=["worker", "allocated_at"])
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.allocated",
        obj=locked,
        subject_id=locked.participant_id,
        summary=f"Allocated to {worker}",
        detail={"worker_id": worker.pk},
    )
    return locked


@transaction.atomic
def referral_end(
    *,
    actor: User,
    referral: Referral,
    reason: EndReason,
    note: str = "",
    closing_summary: str = "",
) -> Referral:
    """End support (or the wait for it). A place that frees goes to the head of the list.

    Ending support needs a closing summary; leaving the waiting list does not.
    """
    require(actor, Action.END_SUPPORT)
    service = _lock_service(referral.service_id)
    locked = locked_referral(actor, referral)
    status = locked.status
    if status not in (ReferralStatus.ACTIVE, ReferralStatus.WAITING):
        raise StateChanged("Only a person receiving support or waiting for it can be ended.")
    _check_reason(reason, note, "Explain why support ended.")
    if status == ReferralStatus.ACTIVE and not closing_summary.strip():
        raise RuleBroken("Write a closing summary: what the person achieved and what is next.")
    now = timezone.now()
    locked.ended_at = now
    locked.ended_by = actor
    locked.end_reason = reason
    locked.end_note = note.strip()
    locked.closing_summary = closing_summary.strip()
    locked.save()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.ended",
        obj=locked,
        subject_id=locked.participant_id,
        summary=(
            f"Support ended: {reason.label}"
            if status == ReferralStatus.ACTIVE
            else f"Left the waiting list: {reason.label}"
        ),
        detail={"reason": reason.code, "was": status.value},
    )
    if status == ReferralStatus.ACTIVE:
        _fill_free_places(service=service, now=now, actor=actor)
    return locked
