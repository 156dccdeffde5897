"""Reads of the working day that join a person's episode across referrals, contacts and
plans. Every one starts from the referral scope (``referrals/access.py``)."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.selectors import no_recent_contact_q, with_contact_figures
from pathways.placements.models import SustainmentCheck, sustainment_overdue_q
from pathways.plans.selectors import overdue_q, with_review_due
from pathways.referrals.access import referrals_for
from pathways.referrals.selectors import LIST_RELATED
from pathways.referrals.status import ReferralQuerySet


def caseload_for(user: User) -> ReferralQuerySet:
    """Active participants allocated to this worker, with support intensity (last contact,
    contacts in the last 4 weeks) and when the plan review is due, so that tapering and
    overdue reviews show; flagged when there has been no contact in 4 weeks and when a job
    sustainment check is overdue."""
    qs = referrals_for(user).active().filter(worker=user).select_related(*LIST_RELATED)
    now, today = timezone.now(), timezone.localdate()
    qs = with_review_due(with_contact_figures(qs, now))
    overdue_checks = SustainmentCheck.objects.filter(
        sustainment_overdue_q(today), placement__referral=OuterRef("pk")
    )
    return qs.annotate(
        review_overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()),
        no_recent_contact=ExpressionWrapper(no_recent_contact_q(now), output_field=BooleanField()),
        sustainment_overdue=Exists(overdue_checks),
    ).order_by("participant__last_name", "participant__first_name", "id")
