"""Status derived from dated facts: one ordered list of rules per entity, applied to a row
in Python and to a queryset in the database, so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

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
