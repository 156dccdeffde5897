"""Recording convictions. Atomic, scoped, audited.

Every write to a person's convictions ends with ``recompute_spent``, which stores the
calculator's answers on all of the person's convictions (a new conviction can keep an
earlier one unspent: ROA s.6(4)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pathways.accounts.models import User
from pathways.convictions.models import (
    Conviction,
    Sentence,
    Source,
    SpentState,
)
from pathways.core.access import Action
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import RuleBroken
from pathways.employers.models import OffenceCategory
from pathways.participants.models import Participant
from pathways.referrals.access import locked_participant
from pathways.rehabilitation.calculator import InvalidSentence, spent_dates, validate
from pathways.rehabilitation.filtering import filtered_from


@dataclass(frozen=True)
class SentenceInput:
    type: str
    length: int | None = None
    length_unit: str = ""
    schedule_18: bool = False
    endorsement: bool = False
    ends_on: dt.date | None = None
    until_further_order: bool = False


def recompute_spent(participant: Participant) -> None:
    """Store when each of the person's convictions is spent, and from when it is filtered."""
    convictions = list(
        Conviction.objects.filter(participant=participant).prefetch_related("sentences")
    )
    if not convictions:
        return
    facts = [c.facts(participant.date_of_birth) for c in convictions]
    for conviction, fact, spent in zip(convictions, facts, spent_dates(facts), strict=True):
        if isinstance(spent, dt.date):
            conviction.spent_state, conviction.spent_on = SpentState.DATE, spent
        else:
            conviction.spent_state, conviction.spent_on = SpentState(spent), None
        conviction.filtered_from = filtered_from(
            fact, specified_offence=conviction.specified_offence
        )
    Conviction.objects.bulk_update(convictions, ["spent_state", "spent_on", "filtered_from"])


def _create(
    *,
    participant: Participant,
    convicted_on: dt.date,
    caution: bool,
    offence: str,
    offence_category: OffenceCategory | None,
    specified_offence: bool,
    sentences: Sequence[SentenceInput],
    source: str,
    source_ref: str = "",
    recorded_by: User | None,
) -> Conviction:
    if convicted_on > timezone.localdate():
        raise RuleBroken("The date of the conviction or caution cannot be in the future.")
    if convicted_on < participant.date_of_birth:
        raise RuleBroken("The conviction cannot be before the person was born.")
    conviction = Conviction.objects.create(
        participant=participant,
        convicted_on=convicted_on,
        caution=caution,
        offence=offence.strip(),
        offence_category=offence_category,
        specified_offence=specified_offence,
        source=source,
        source_ref=source_ref,
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
    )
    Sentence.objects.bulk_create(
        Sentence(
            conviction=conviction,
            type=s.type,
            length=s.length,
            length_unit=s.length_unit if s.length else "",
            schedule_18=s.schedule_18,
            endorsement=s.endorsement,
            ends_on=s.ends_on,
            until_further_order=s.until_further_order,
        )
        for s in sentences
    )
    try:
        validate(conviction.facts(participant.date_of_birth))
    except InvalidSentence as error:
        raise RuleBroken(f"This sentence cannot be worked out: {error.message}.") from error
    recompute_spent(participant)
    conviction.refresh_from_db()
    return conviction


@transaction.atomic
def conviction_record(
    *,
    actor: User,
    participant: Participant,
    convicted_on: dt.date,
    sentences: Sequence[SentenceInput],
    caution: bool = False,
    offence: str = "",
    offence_category: OffenceCategory | None = None,
    specified_offence: bool = False,
) -> Conviction:
    """Record a conviction or caution by hand (workers and managers, in scope, unrestricted)."""
    person = locked_participant(actor, participant, Action.RECORD_OUTCOMES)
    if not sentences:
        raise RuleBroken("Give at least one sentence.")
    conviction = _create(
        participant=person,
        convicted_on=convicted_on,
        caution=caution,
        offence=offence,
        offence_category=offence_category,
        specified_offence=specified_offence,
        sentences=sentences,
        source=Source.HAND,
        recorded_by=actor,
    )
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="conviction.recorded",
        obj=conviction,
        subject_id=person.pk,
        summary=f"{'Caution' if caution else 'Conviction'} recorded",
    )
    return conviction


def convictions_merge_imported(
    rows: Sequence[tuple[int, dt.date, bool, dict[str, object]]], *, source_ref: str
) -> int:
    """Write the sentences of imported offences (probation offences extract, docs/imports.md):
    one imported conviction per person, date, conviction or caution and sentence type,
    created or updated, then the spent dates of each person touched. Hand-entered
    convictions are never changed. Returns how many were created. Called inside the
    import's transaction."""
    people = {participant_id for participant_id, _on, _caution, _s in rows}
    existing = {
        (c.participant_id, c.convicted_on, c.caution, s.type): s
        for c in Conviction.objects.filter(participant_id__in=people, source=Source.IMPORT)
        for s in c.sentences.all()
    }
    created = 0
    for participant_id, convicted_on, caution, sentence in rows:
        fields = {
            "length": sentence["length"],
            "length_unit": sentence["length_unit"],
            "ends_on": sentence["ends_on"],
            "schedule_18": sentence["schedule_18"],
            "endorsement": sentence["endorsement"],
        }
        found = existing.get((participant_id, convicted_on, caution, str(sentence["type"])))
        if found is not None:
            for name, value in fields.items():
                setattr(found, name, value)
            found.save(update_fields=list(fields))
            continue
        conviction = Conviction.objects.create(
            participant_id=participant_id,
            convicted_on=convicted_on,
            caution=caution,
            source=Source.IMPORT,
            source_ref=source_ref,
            recorded_at=timezone.now(),
        )
        existing[(participant_id, convicted_on, caution, str(sentence["type"]))] = (
            Sentence.objects.create(conviction=conviction, type=str(sentence["type"]), **fields)
        )
        created += 1
    for participant in Participant.objects.filter(pk__in=people):
        recompute_spent(participant)
    return created
