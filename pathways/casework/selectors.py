"""Reads of the working day that join a person's episode across referrals, contacts and
plans. Every one starts from the referral scope (``referrals/access.py``)."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from pathways.accounts.models import User
from pathways.contacts.selectors import with_contact_figures
from pathways.plans.selectors import overdue_q, with_review_due
from pathways.referrals.access import referrals_for
from pathways.referrals.selectors import LIST_RELATED
from pathways.referrals.status import ReferralQuerySet


def caseload_for(user: User) -> ReferralQuerySet:
    """Active participants allocated to this worker, with support intensity (last contact,
    contacts in the last 4 weeks) and when the plan review is due, so that tapering and
    overdue reviews show."""
    qs = referrals_for(user).active().filter(worker=user).select_related(*LIST_RELATED)
    qs = with_review_due(with_contact_figures(qs, timezone.now()))
    return qs.annotate(
        review_overdue=ExpressionWrapper(
            overdue_q(timezone.localdate()), output_field=BooleanField()
        )
    ).order_by("participant__last_name", "participant__first_name", "id")
