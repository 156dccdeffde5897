"""Subject access: everything Pathways holds about one person, for a manager to review and
disclose (UK GDPR article 15). Exemptions (third parties, crime prevention) are a person's
decision, made on this complete copy.

The records are found by walking the model graph, not from a hand-written list: from the
person, every record that points at them (reverse foreign keys and one-to-ones), and from
each of those every record that points at it, and so on. A new model linked to a person
therefore appears in the export without anyone remembering to add it (a test walks the
graph independently and checks). The audit trail of the person (views, changes, exports)
is added, since it holds no foreign key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from pathways.core.models import AuditEvent
from pathways.participants.models import Participant

ROOT = "participants.participant"
AUDIT = "core.auditevent"


@dataclass
class Section:
    label: str  # app_label.model_name
    title: str
    columns: list[tuple[str, str]]  # (field name, verbose name)
    rows: list[dict[str, Any]] = field(default_factory=list)


def linked_models(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """The models that point at ``model`` (reverse FKs and one-to-ones): (model, field)."""
    linked: list[tuple[type[models.Model], str]] = []
    for relation in model._meta.related_objects:
        related = relation.related_model
        if not isinstance(related, type) or relation.many_to_many:
            continue
        if related.__module__.startswith("pathways."):
            linked.append((related, relation.field.name))
    return linked


def _value(instance: models.Model, model_field: models.Field) -> Any:
    if model_field.many_to_one or model_field.one_to_one:
        related = getattr(instance, model_field.name)
        return None if related is None else str(related)
    value = getattr(instance, model_field.attname)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    display = getattr(instance, f"get_{model_field.name}_display", None)
    if model_field.choices and display is not None:
        return display()
    return value


def _columns(model: type[models.Model]) -> list[tuple[str, str]]:
    fields = [f for f in model._meta.get_fields() if f.concrete or f.many_to_many]
    return [
        (f.name, str(getattr(f, "verbose_name", f.name)))
        for f in fields
        if not (f.many_to_many and f.auto_created)
    ]


def _row(instance: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for model_field in instance._meta.get_fields():
        if model_field.many_to_many and not model_field.auto_created:
            row[model_field.name] = [
                str(item) for item in getattr(instance, model_field.name).all()
            ]
        elif model_field.concrete:
            row[model_field.name] = _value(instance, model_field)  # type: ignore[arg-type]
    return row


def _section(model: type[models.Model]) -> Section:
    title = str(model._meta.verbose_name_plural).capitalize()
    return Section(model._meta.label_lower, title, _columns(model))


def subject_access(participant: Participant) -> list[Section]:
    """Every record about the person, by model, found by walking the model graph."""
    sections: dict[str, Section] = {}
    seen: set[tuple[str, Any]] = set()

    def add(instance: models.Model) -> bool:
        label = instance._meta.label_lower
        key = (label, instance.pk)
        if key in seen:
            return False
        seen.add(key)
        section = sections.setdefault(
            label,
            Section(
                label,
                str(instance._meta.verbose_name_plural).capitalize(),
                _columns(type(instance)),
            ),
        )
        section.rows.append(_row(instance))
        return True

    # Every model linked to a person has its section, even when it holds nothing for them.
    models_to_visit: list[type[models.Model]] = [Participant]
    while models_to_visit:
        model = models_to_visit.pop()
        if model._meta.label_lower not in sections:
            sections[model._meta.label_lower] = _section(model)
            models_to_visit += [linked for linked, _name in linked_models(model)]
    queue: list[models.Model] = [participant]
    add(participant)
    while queue:
        instance = queue.pop(0)
        for model, field_name in linked_models(type(instance)):
            label = model._meta.label_lower
            sections.setdefault(
                label,
                Section(label, str(model._meta.verbose_name_plural).capitalize(), _columns(model)),
            )
            for related in model._default_manager.filter(**{field_name: instance.pk}).order_by(
                "pk"
            ):
                if add(related):
                    queue.append(related)
    audit_section = Section(AUDIT, "Audit trail", _columns(AuditEvent))
    audit_section.rows = [
        _row(event) for event in AuditEvent.objects.filter(subject_id=participant.pk).order_by("id")
    ]
    sections[AUDIT] = audit_section
    return list(sections.values())


def as_json(participant: Participant, sections: list[Section]) -> dict[str, Any]:
    return {
        "person": participant.pk,
        "produced_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
        "records": {section.label: section.rows for section in sections},
    }
