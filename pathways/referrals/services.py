"""Changes to referrals. Each function is atomic and writes its audit event in the same
transaction. Rows are locked in one order (service, then referral) so that concurrent
decisions queue rather than clash; a decision on a referral that changed meanwhile
raises ``StateChanged``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone

from pathways.accounts.models import Service, User
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken, StateChanged
from pathways.core.reference import is_retired
from pathways.core.roles import Role
from pathways.participants.guards import unrestricted
from pathways.participants.models import Participant
from pathways.referrals.access import locked_participant, locked_referral, participants_for
from pathways.referrals.eligibility import eligibility_problems
from pathways.referrals.models import (
    DeclineReason,
    EndReason,
    HoldResolution,
    Reason,
    Referral,
    ReferralAmendment,
)
from pathways.referrals.people import FIELD_LABELS, PossibleDuplicate, identity_differences
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
# Details a later referral may bring for a known person. They are never written over the
# person's record unasked: those that differ are proposed on the referral
# (``Referral.proposed_changes``) and the manager accepts or rejects each one.
PROPOSABLE_FIELDS = (
    "phone",
    "email",
    "address",
    "area",
    "location",
    "crn",
    "pnc_id",
    "prison_number",
)
DETAIL_FIELDS = (
    "source",
    "cohort",
    "order_type",
    "order_end_date",
    "order_ended_reason",
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

# Detail fields a caller may leave out: asked only in some cases.
DETAIL_DEFAULTS: dict[str, Any] = {"order_ended_reason": ""}


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
        order_end_date=details.get("order_end_date"),
        order_ended_reason=details.get("order_ended_reason", ""),
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


def _proposed_changes(participant: Participant, typed: dict[str, Any]) -> dict[str, Any]:
    """The typed details that differ from the known person's (blanks propose nothing), as
    JSON values: field name to value (an area by its id)."""
    proposed: dict[str, Any] = {}
    for name in PROPOSABLE_FIELDS:
        value: Any = typed.get(name)
        if value is None or value == "":
            continue
        if name == "area":
            value, current = value.pk, participant.area_id
        else:
            current = getattr(participant, name)
        if value != current:
            proposed[name] = value
    return proposed


def _open_referral_check(participant: Participant, service: Service, exclude: int | None) -> None:
    others = Referral.objects.filter(participant=participant, service=service).open()
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise RuleBroken(
            "This person already has an open referral to the service. Amend that referral instead."
        )


def _joinable(actor: User, existing: Participant, person: dict[str, Any]) -> Participant:
    """The known person the user says this is, locked: only one in the user's own scope
    whose name and date of birth are the ones typed. Anything else is for the manager."""
    participant = participants_for(actor).select_for_update().filter(pk=existing.pk).first()
    if participant is None:
        raise NotPermitted(
            "You can only say it is a person in your own referrals. "
            "Send it for the service manager to check."
        )
    if identity_differences(
        participant,
        first_name=person["first_name"],
        last_name=person["last_name"],
        date_of_birth=person["date_of_birth"],
    ):
        raise RuleBroken(
            "The name or date of birth differ from the record. "
            "Send it for the service manager to check."
        )
    unrestricted(participant.pk)
    return participant


@transaction.atomic
def referral_create(
    *,
    actor: User,
    service: Service,
    person: dict[str, Any],
    details: dict[str, Any],
    existing_participant: Participant | None = None,
    hold_for: Sequence[PossibleDuplicate] = (),
) -> Referral:
    """Record a new referral: for a new person, or for a known person the user confirmed.

    A known person's details are never changed here: those typed otherwise are proposed on
    the referral. With ``hold_for`` (matches the user may not resolve: see
    ``PossibleDuplicate.joinable``) the referral is held for the manager as a possible
    duplicate, for a new person made from what was typed (without the CRN when another
    record has it); the manager joins or separates it (``referral_resolve_duplicate``).
    """
    require(actor, Action.REFER)
    if actor.service_id != service.pk:
        raise NotPermitted("You can only refer to your own service.")
    if existing_participant is not None and hold_for:
        raise RuleBroken("A referral held for the manager is not joined to anyone yet.")
    details = {**DETAIL_DEFAULTS, **details}
    now = timezone.now()
    _check_eligible(person, details, timezone.localdate(now))
    area = person["area"]
    _check_area(service, area)
    proposed: dict[str, Any] = {}
    if existing_participant is not None:
        participant = _joinable(actor, existing_participant, person)
        _open_referral_check(participant, service, exclude=None)
        proposed = _proposed_changes(participant, person)
    else:
        values = {name: person[name] for name in PERSON_FIELDS}
        if hold_for and values["crn"] and Participant.objects.filter(crn=values["crn"]).exists():
            values["crn"] = None
        try:
            with transaction.atomic():
                participant = Participant.objects.create(**values, created_by=actor, created_at=now)
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
        held_at=now if hold_for else None,
        held_matches=[
            {
                "participant": match.participant.pk,
                "same_crn": match.same_crn,
                "differs": list(match.differs),
            }
            for match in hold_for
        ],
        proposed_changes=proposed,
        **{name: details[name] for name in DETAIL_FIELDS},
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="referral.created",
        obj=referral,
        subject_id=participant.pk,
        summary=f"Referral received from {referral.get_source_display()}",
        detail={
            "existing_participant": existing_participant is not None,
            "proposed_changes": list(proposed),
        },
    )
    if hold_for:
        # Names no known record: the referrer may read this person's timeline.
        audit(
            actor=actor,
            kind=AuditKind.CHANGE,
            action="referral.held_as_duplicate",
            obj=referral,
            subject_id=participant.pk,
            summary="Held for the service manager: may be a person already known",
            detail={
                "matches": len(hold_for),
                "differs": sorted({name for match in hold_for for name in match.differs}),
            },
        )
    return referral


@transaction.atomic
def referral_resolve_duplicate(
    *, actor: User, referral: Referral, join_to: Participant | None, reason: str
) -> Referral:
    """The manager resolves a referral held as a possible duplicate, with a reason: join it
    to one of the known records it matched (the held new person is removed, and the details
    typed otherwise than the record are proposed, not applied), or keep the new person."""
    require(actor, Action.TRIAGE)
    locked = locked_referral(actor, referral)
    if locked.status != ReferralStatus.HELD:
        raise StateChanged("This possible duplicate has already been resolved.")
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter why you are joining or separating the person.")
    held = Participant.objects.select_for_update().get(pk=locked.participant_id)
    if join_to is not None:
        if join_to.pk not in {match["participant"] for match in locked.held_matches}:
            raise NotPermitted("That is not one of the records this referral matches.")
        known = Participant.objects.select_for_update().get(pk=join_to.pk)
        unrestricted(known.pk)
        _open_referral_check(known, locked.service, exclude=locked.pk)
        locked.proposed_changes = _proposed_changes(
            known, {name: getattr(held, name) for name in PROPOSABLE_FIELDS}
        )
        locked.participant = known
        locked.hold_resolution = HoldResolution.JOINED
        subject_id = known.pk
        summary = (
            f"Referral from {locked.get_source_display()} joined to this person "
            "(it was held as a possible duplicate)"
        )
    else:
        locked.hold_resolution = HoldResolution.SEPARATE
        subject_id = held.pk
        summary = "Possible duplicate resolved: kept as a separate person"
    locked.hold_resolved_at = timezone.now()
    locked.hold_resolved_by = actor
    locked.hold_reason = reason
    locked.save()
    if join_to is not None and not held.referrals.exists():
        try:
            with transaction.atomic():
                held.delete()
        except ProtectedError:
            raise RuleBroken(
                "Records have been added to the new person since the referral was held, "
                "so it cannot be joined. Keep it as a separate person."
            ) from None
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action=(
            "referral.duplicate_joined" if join_to is not None else "referral.duplicate_separated"
        ),
        obj=locked,
        subject_id=subject_id,
        summary=summary,
        detail={
            "resolution": locked.hold_resolution,
            "reason": reason,
            "proposed_changes": list(locked.proposed_changes),
        },
    )
    return locked


@transaction.atomic
def referral_decide_proposed_changes(
    *, actor: User, referral: Referral, decisions: dict[str, bool]
) -> list[str]:
    """Accept or reject details proposed by a referral for its known person. Each accepted
    field is written and audited on its own (the event names the field, never a value);
    each rejected one is dropped and audited. Returns the fields accepted."""
    require(actor, Action.TRIAGE)
    locked = locked_referral(actor, referral)
    proposed = dict(locked.proposed_changes)
    unknown = set(decisions) - set(proposed)
    if unknown or not decisions:
        raise StateChanged("Those changes have already been decided. Check the referral again.")
    participant = locked_participant(actor, locked.participant, Action.TRIAGE)
    accepted = []
    for name, accept in decisions.items():
        value = proposed.pop(name)
        label = FIELD_LABELS[name]
        if accept:
            setattr(participant, "area_id" if name == "area" else name, value)
            accepted.append(name)
        audit(
            actor=actor,
            kind=AuditKind.CHANGE,
            action="participant.detail_changed" if accept else "referral.proposed_change_rejected",
            obj=locked,
            subject_id=participant.pk,
            summary=(
                f"{label} changed, as proposed by a referral"
                if accept
                else f"{label} proposed by a referral: not changed"
            ),
            detail={"field": name},
        )
    if accepted:
        try:
            with transaction.atomic():
                participant.save(update_fields=accepted)
        except IntegrityError:
            raise RuleBroken("Another person already has that CRN.") from None
    locked.proposed_changes = proposed
    locked.save(update_fields=["proposed_changes"])
    return accepted


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
    details = {**DETAIL_DEFAULTS, **details}
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
    if locked.status == ReferralStatus.HELD:
        raise RuleBroken(
            "This referral may be a person already known. Join or separate the person first."
        )
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
    # A possible duplicate may be declined unresolved (for example a second referral).
    if locked.status not in (ReferralStatus.RECEIVED, ReferralStatus.HELD):
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
