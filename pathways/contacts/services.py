"""Changes to contacts, appointments and onward referrals.

Each function is atomic, checks role and scope through ``referrals.access`` (the episode is
locked and must be receiving support) and audits the change with the person as subject.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.models import (
    Attendance,
    Contact,
    Mode,
    NotHappenedReason,
    OnwardReferral,
)
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken, StateChanged
from pathways.placements.models import Placement
from pathways.referrals.access import receiving_support
from pathways.referrals.models import Referral


@dataclass(frozen=True)
class When:
    """When and how a contact is held."""

    starts_at: datetime.datetime
    mode: str
    duration_minutes: int
    location: str = ""
    placement: Placement | None = None


@dataclass(frozen=True)
class Outcome:
    """What came of a contact. Attendance is kept apart from whether it took place."""

    happened: bool
    attended: str
    not_happened_reason: str = ""
    notes: str = ""
    tell_referrer: bool = False

    def check(self) -> None:
        if self.attended not in Attendance.values:
            raise RuleBroken("Say whether the person attended.")
        if self.happened:
            if self.attended == Attendance.NO:
                raise RuleBroken(
                    "A session the person did not attend did not take place: say why it did not."
                )
            if self.not_happened_reason:
                raise RuleBroken("A session that took place has no reason for not taking place.")
        elif self.not_happened_reason not in NotHappenedReason.values:
            raise RuleBroken("Say why the session did not take place.")


def _changed(
    actor: User, obj: Contact | OnwardReferral, referral: Referral, action: str, summary: str
) -> None:
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action=action,
        obj=obj,
        subject_id=referral.participant_id,
        episode_id=referral.pk,
        summary=summary,
    )


def _at(contact: Contact) -> str:
    return f"{timezone.localtime(contact.starts_at):%-d %b %Y %H:%M}"


def _check_started(when: datetime.datetime, referral: Referral) -> None:
    assert referral.started_at is not None  # receiving support
    if timezone.localdate(when) < timezone.localdate(referral.started_at):
        raise RuleBroken("A contact cannot be before support started.")


def _outcome_onto(contact: Contact, outcome: Outcome, actor: User) -> None:
    outcome.check()
    contact.happened = outcome.happened
    contact.attended = outcome.attended
    contact.not_happened_reason = outcome.not_happened_reason
    contact.notes = outcome.notes.strip()
    contact.tell_referrer = outcome.tell_referrer
    contact.outcome_recorded_at = timezone.now()
    contact.outcome_recorded_by = actor


def _check_placement(referral: Referral, when: When) -> None:
    """A contact may be about a placement of its own episode; one held at the placement
    must say which."""
    if when.placement is not None and when.placement.referral_id != referral.pk:
        raise RuleBroken("Choose one of this person's placements in this episode of support.")
    if when.mode == Mode.PLACEMENT and when.placement is None:
        raise RuleBroken("Choose the placement the contact is at.")


def _new_contact(actor: User, referral: Referral, when: When) -> Contact:
    return Contact(
        referral=referral,
        starts_at=when.starts_at,
        mode=when.mode,
        duration_minutes=when.duration_minutes,
        location=when.location.strip(),
        placement=when.placement,
        booked_by=actor,
        created_at=timezone.now(),
    )


@transaction.atomic
def contact_book(*, actor: User, referral: Referral, when: When) -> Contact:
    """Book an appointment; its outcome is recorded after it."""
    locked = receiving_support(actor, referral)
    if when.starts_at <= timezone.now():
        raise RuleBroken(
            "An appointment is booked for a time still to come. To note a contact that has "
            "taken place, record a contact."
        )
    _check_placement(locked, when)
    contact = _new_contact(actor, locked, when)
    contact.save()
    _changed(actor, contact, locked, "contact.booked", f"Appointment booked for {_at(contact)}")
    return contact


@transaction.atomic
def contact_record(*, actor: User, referral: Referral, when: When, outcome: Outcome) -> Contact:
    """Record a contact that has taken place (or was due), with its outcome, in one go."""
    locked = receiving_support(actor, referral)
    if when.starts_at > timezone.now():
        raise RuleBroken("A contact being recorded cannot be in the future: book it instead.")
    _check_started(when.starts_at, locked)
    _check_placement(locked, when)
    contact = _new_contact(actor, locked, when)
    _outcome_onto(contact, outcome, actor)
    contact.save()
    _changed(actor, contact, locked, "contact.recorded", f"Contact recorded: {_at(contact)}")
    return contact


def _open_appointment(actor: User, contact: Contact) -> tuple[Referral, Contact]:
    locked = receiving_support(actor, contact.referral)
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    if current.superseded_by_id is not None:
        raise StateChanged("This appointment was rescheduled: use the new one.")
    if current.outcome_recorded_at is not None:
        raise StateChanged("The outcome of this appointment has already been recorded.")
    return locked, current


@transaction.atomic
def contact_feedback(*, actor: User, contact: Contact, outcome: Outcome) -> Contact:
    """Record the outcome of a booked appointment once its time has come."""
    locked, current = _open_appointment(actor, contact)
    if current.starts_at > timezone.now():
        raise RuleBroken("This appointment has not happened yet.")
    _outcome_onto(current, outcome, actor)
    current.save()
    _changed(actor, current, locked, "contact.feedback", f"Feedback recorded: {_at(current)}")
    return current


@transaction.atomic
def contact_reschedule(
    *, actor: User, contact: Contact, starts_at: datetime.datetime, reason: str
) -> Contact:
    """Move an appointment: a new one supersedes the old, which is kept as it was."""
    locked, current = _open_appointment(actor, contact)
    if starts_at <= timezone.now():
        raise RuleBroken("The new time must be still to come.")
    if not reason.strip():
        raise RuleBroken("Explain why the appointment is rescheduled.")
    new = _new_contact(
        actor,
        locked,
        When(
            starts_at=starts_at,
            mode=current.mode,
            duration_minutes=current.duration_minutes,
            location=current.location,
            placement=current.placement,
        ),
    )
    new.save()
    current.superseded_by = new
    current.reschedule_reason = reason.strip()
    current.save(update_fields=["superseded_by", "reschedule_reason"])
    _changed(
        actor,
        new,
        locked,
        "contact.rescheduled",
        f"Appointment of {_at(current)} moved to {_at(new)}",
    )
    return new


@transaction.atomic
def onward_referral_make(
    *,
    actor: User,
    referral: Referral,
    kind: str,
    organisation: str,
    referred_on: datetime.date,
    note: str = "",
) -> OnwardReferral:
    locked = receiving_support(actor, referral)
    if referred_on > timezone.localdate():
        raise RuleBroken("The date of the referral cannot be in the future.")
    onward = OnwardReferral.objects.create(
        referral=locked,
        kind=kind,
        organisation=organisation.strip(),
        referred_on=referred_on,
        note=note.strip(),
        made_by=actor,
        created_at=timezone.now(),
    )
    _changed(actor, onward, locked, "onward.made", f"Referred on: {onward.get_kind_display()}")
    return onward


@transaction.atomic
def onward_referral_outcome(
    *, actor: User, onward: OnwardReferral, outcome: str, on: datetime.date, note: str = ""
) -> OnwardReferral:
    locked = receiving_support(actor, onward.referral)
    current = OnwardReferral.objects.select_for_update().get(pk=onward.pk)
    if current.outcome:
        raise StateChanged("The outcome of this referral has already been recorded.")
    if on > timezone.localdate() or on < current.referred_on:
        raise RuleBroken("The outcome date must be between the referral and today.")
    current.outcome = outcome
    current.outcome_on = on
    current.outcome_note = note.strip()
    current.save()
    _changed(
        actor,
        current,
        locked,
        "onward.outcome",
        f"Outcome of referral on ({current.get_kind_display()}): {current.get_outcome_display()}",
    )
    return current
