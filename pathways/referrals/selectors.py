"""Reads of referrals. Every one that returns people starts from referrals.access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from pathways.accounts.models import Patch, Service, User
from pathways.core.audit import viewed_or_404
from pathways.core.reference import in_use
from pathways.core.roles import Role
from pathways.referrals.access import referrals_for
from pathways.referrals.models import Cohort, DeclineReason, EndReason, Referral, Source
from pathways.referrals.status import ReferralQuerySet, ReferralStatus, places_free, status_q

LIST_RELATED = ("participant", "patch", "worker")
# Long lists page through referrals alone, on an index, and fetch the page's people after:
# joining every person before the LIMIT makes PostgreSQL hash-join the whole people table.
LONG_LIST_RELATED = ("patch", "worker")


def patches_of(user: User) -> list[Patch]:
    """The patches of the user's service, for filtering lists."""
    if user.service_id is None:
        return []
    return list(Patch.objects.filter(service_id=user.service_id).order_by("name"))


def referral_list_for(
    user: User, *, status: ReferralStatus | None = None, patch: Patch | None = None
) -> ReferralQuerySet:
    qs = (
        referrals_for(user)
        .with_status()
        .select_related(*LONG_LIST_RELATED)
        .prefetch_related("participant")
    )
    if status is not None:
        qs = qs.in_status(status)
    if patch is not None:
        qs = qs.filter(patch=patch)
    return qs.order_by("-received_at", "-id")


def _ahead_of(service: Any, accepted_at: Any, pk: Any) -> ReferralQuerySet:
    """Waiting referrals ahead of one in the queue order (values or OuterRefs)."""
    return (
        Referral.objects.waiting()
        .filter(service=service)
        .filter(Q(accepted_at__lt=accepted_at) | Q(accepted_at=accepted_at, id__lt=pk))
    )


def _with_queue_position(qs: ReferralQuerySet) -> ReferralQuerySet:
    """Annotate each waiting referral with its place in its service's whole waiting list."""
    ahead = (
        _ahead_of(OuterRef("service"), OuterRef("accepted_at"), OuterRef("id"))
        .order_by()
        .values("service")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(position=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1)


def _own_patch_for_workers(user: User, qs: ReferralQuerySet) -> ReferralQuerySet:
    """Workers' lists show their own patch (their scope also holds cases allocated to them)."""
    if user.role != Role.WORKER:
        return qs
    return qs.filter(patch_id=user.patch_id) if user.patch_id is not None else qs.none()


def waiting_list_for(user: User) -> ReferralQuerySet:
    """The waiting list in order. Workers see their patch; positions are service-wide."""
    qs = _own_patch_for_workers(user, referrals_for(user).waiting())
    qs = qs.select_related(*LONG_LIST_RELATED).prefetch_related("participant")
    return _with_queue_position(qs).queue_order()


def queue_position(referral: Referral) -> int | None:
    """The referral's place in its service's waiting list, or None if it is not waiting."""
    if referral.status != ReferralStatus.WAITING:
        return None
    return _ahead_of(referral.service_id, referral.accepted_at, referral.pk).count() + 1


def unallocated_for(user: User) -> ReferralQuerySet:
    """Active participants with no worker yet, in the user's scope."""
    qs = _own_patch_for_workers(user, referrals_for(user).active().filter(worker__isnull=True))
    return qs.select_related(*LIST_RELATED).order_by("started_at", "id")


def referral_get_for(user: User, pk: int) -> Referral:
    """One referral in the user's scope, with the view audited; else 404 (refusal audited)."""
    scoped = (
        referrals_for(user)
        .select_related("participant", "patch", "service", "worker", "referred_by")
        .select_related("decline_reason", "end_reason", "accepted_by", "declined_by")
    )
    return viewed_or_404(user, scoped, pk, subject_id=lambda r: r.participant_id)


def workers_for(referral: Referral) -> list[User]:
    """Support workers who can take this case: active workers of the person's patch."""
    return list(
        User.objects.filter(
            role=Role.WORKER, is_active=True, service_id=referral.service_id, patch=referral.patch
        ).order_by("first_name", "last_name")
    )


def reasons(model: type[DeclineReason] | type[EndReason]) -> list[Any]:
    """Reasons still in use, in the list order ("Other" last)."""
    return list(model.objects.filter(in_use()).in_list_order())


@dataclass(frozen=True)
class ServiceFigures:
    service: Service
    capacity: int
    by_status: dict[str, int]
    by_source: list[tuple[str, int]]
    by_cohort: list[tuple[str, int]]

    @property
    def active(self) -> int:
        return self.by_status.get(ReferralStatus.ACTIVE, 0)

    @property
    def free_places(self) -> int:
        return places_free(self.capacity, self.active)

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        return [(status.label, self.by_status.get(status, 0)) for status in ReferralStatus]


def service_figures(service: Service) -> ServiceFigures:
    """Counts only, aggregated in the database: safe for every role that may see figures."""
    qs = Referral.objects.filter(service=service)
    by_status = qs.aggregate(
        **{status.value: Count("id", filter=status_q(status)) for status in ReferralStatus}
    )
    source_counts = dict(qs.order_by().values_list("source").annotate(n=Count("id")))
    cohort_counts = dict(qs.order_by().values_list("cohort").annotate(n=Count("id")))
    return ServiceFigures(
        service=service,
        capacity=service.capacity,
        by_status=by_status,
        by_source=[(label, source_counts.get(value, 0)) for value, label in Source.choices],
        by_cohort=[(label, cohort_counts.get(value, 0)) for value, label in Cohort.choices],
    )
