"""Status derived from dated facts: one ordered list of rules per entity, applied to a row
in Python and to a queryset in the database, so the two cannot disagree.

Each entity's app also declares how its statuses look (``tag_colours``): the GOV.UK tag
colour of each, which the ``status_tag`` template tag renders for any status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Case, Q, Value, When

S = TypeVar("S", bound=models.TextChoices)

# (status, the facts as a database filter, the facts on one row)
Rule = tuple[S, Q, Callable[[Any], bool]]


class StatusRules(Generic[S]):
    """Read first to last: the first rule whose facts hold gives the status; when none
    holds, ``default``."""

    def __init__(self, rules: list[Rule[S]], default: S) -> None:
        self.rules = rules
        self.default = default

    def of(self, row: Any) -> S:
        for status, _q, holds in self.rules:
            if holds(row):
                return status
        return self.default

    def q(self, status: S) -> Q:
        """The facts that give exactly this status (earlier rules excluded)."""
        q = Q()
        for rule_status, rule_q, _holds in self.rules:
            if rule_status == status:
                return q & rule_q
            q &= ~rule_q
        return q

    def any_of(self, statuses: Iterable[S]) -> Q:
        q = Q(pk__in=[])
        for status in statuses:
            q |= self.q(status)
        return q

    def annotation(self) -> Case:
        """The status as a database expression (annotate it as ``status_code``)."""
        return Case(
            *[When(q, then=Value(status.value)) for status, q, _ in self.rules],
            default=Value(self.default.value),
            output_field=models.CharField(),
        )


# How statuses look: the GOV.UK tag colour of each status of every registered entity, and
# the statuses that the ``status_code`` annotation of each model's rows carries.
_COLOURS: dict[type[models.TextChoices], dict[Any, str]] = {}
_STATUSES_OF_ROWS: dict[str, type[models.TextChoices]] = {}


def tag_colours(statuses: type[S], colours: Mapping[S, str], *, model: str = "") -> None:
    """Declare the GOV.UK tag colour of every status (``"green"`` for ``govuk-tag--green``).
    ``model`` ("app_label.Model") says that rows of that model annotated by ``with_status``
    carry these statuses in ``status_code``."""
    missing = [status for status in statuses if status not in colours]
    if missing:
        raise ImproperlyConfigured(f"No tag colour for {', '.join(map(str, missing))}.")
    _COLOURS[statuses] = {status: colours[status] for status in statuses}
    if model:
        _STATUSES_OF_ROWS[model] = statuses


def shown_status(value: Any) -> models.TextChoices:
    """The status to show for ``value``: a status itself, or a row's (its ``status_code``
    annotation when it has one, else its ``status``)."""
    if isinstance(value, models.Choices):
        return value  # type: ignore[return-value]
    code = getattr(value, "status_code", None)
    if code:
        return _STATUSES_OF_ROWS[value._meta.label](code)
    status: models.TextChoices = value.status
    return status


def tag_colour(status: models.TextChoices) -> str:
    return _COLOURS[type(status)][status]
