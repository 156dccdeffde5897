"""Writes to the contract: by the service manager only, each atomic and audited."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from pathways.accounts.models import Service, User
from pathways.contracts.models import Contract
from pathways.core.access import Action, require
from pathways.core.audit import AuditKind, audit
from pathways.core.errors import NotPermitted, RuleBroken

M = TypeVar("M", bound=models.Model)


def _managed_by(actor: User, service: Service) -> None:
    """The role may manage a contract, and this is their own service's."""
    require(actor, Action.MANAGE_CONTRACT)
    if actor.service_id != service.pk:
        raise NotPermitted("Your role does not allow this.")


@transaction.atomic
def contract_save(*, actor: User, service: Service, **fields: Any) -> Contract:
    """Create or change the service's contract (provider, commissioner, dates, notes)."""
    _managed_by(actor, service)
    if fields["pilot_end_date"] < fields["start_date"]:
        raise RuleBroken("The end of the pilot must be on or after the start of the contract.")
    contract, created = Contract.objects.select_for_update().get_or_create(
        service=service, defaults=fields
    )
    if not created:
        for name, value in fields.items():
            setattr(contract, name, value)
        contract.save()
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action="contract.created" if created else "contract.updated",
        obj=contract,
        subject_id=None,
        summary="Contract recorded" if created else "Contract changed",
    )
    return contract


@transaction.atomic
def contract_part_save(*, actor: User, contract: Contract, part: M, **fields: Any) -> M:
    """Add or change one part of the contract (an extension, a year's value, a co-funder,
    a payment or a milestone). ``part`` is a new or existing row of that contract."""
    _managed_by(actor, contract.service)
    if getattr(part, "contract_id", None) not in (None, contract.pk):
        raise NotPermitted("That is not part of this contract.")
    Contract.objects.select_for_update().get(pk=contract.pk)
    created = part.pk is None
    for name, value in fields.items():
        setattr(part, name, value)
    part.contract = contract  # type: ignore[attr-defined]
    try:
        part.full_clean()
    except ValidationError as error:
        raise RuleBroken(" ".join(error.messages)) from None
    part.save()
    name = str(part._meta.model_name)
    label = str(part._meta.verbose_name)
    audit(
        actor=actor,
        kind=AuditKind.CHANGE,
        action=f"{name}.created" if created else f"{name}.updated",
        obj=part,
        subject_id=None,
        summary=f"{label.capitalize()} {'added' if created else 'changed'}",
    )
    return part
