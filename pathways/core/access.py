"""Who may see and do what: the one place that scopes records by role.

Every list, detail, search and export of people goes through ``referrals_for`` or
``participants_for``. A record outside the user's scope is not found (404), never
"forbidden", so its existence is not revealed.

| role         | referrals and people in scope                                      |
| ------------ | ------------------------------------------------------------------- |
| referrer     | the referrals they made, and those people                           |
| worker       | their service's referrals in their patch, and any allocated to them |
| manager      | every referral of their service                                     |
| commissioner | none: aggregate figures only                                        |
| admin        | none by default: users, patches and reference data                  |

Employers and their opportunities are service-wide records, not personal data: the
workers and the manager of the service see them all (``employers_for``,
``opportunities_for``); every other role sees none. Placements are personal data and
follow the referral they belong to (``placements_for``), so a referrer sees the placements
of their own referrals, a worker those of people in their scope.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q

from pathways.core.roles import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from pathways.employers.models import Employer
    from pathways.employers.status import OpportunityQuerySet
    from pathways.participants.models import Participant
    from pathways.placements.status import PlacementQuerySet
    from pathways.referrals.status import ReferralQuerySet

__all__ = [
    "Action",
    "Role",
    "can",
    "employers_for",
    "opportunities_for",
    "participants_for",
    "placements_for",
    "referrals_for",
    "role_of",
]


def role_of(user: Any) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def _referral_scope(user: Any) -> Q | None:
    """The filter on Referral for this user's scope, or None for no records at all."""
    role = role_of(user)
    if role is Role.REFERRER:
        return Q(referred_by=user)
    if role is Role.WORKER and user.service_id:
        return Q(service_id=user.service_id) & (Q(patch_id=user.patch_id) | Q(worker=user))
    if role is Role.MANAGER and user.service_id:
        return Q(service_id=user.service_id)
    return None


def referrals_for(user: Any) -> ReferralQuerySet:
    from pathways.referrals.models import Referral

    scope = _referral_scope(user)
    if scope is None:
        return Referral.objects.none()
    return Referral.objects.filter(scope)


def participants_for(user: Any) -> QuerySet[Participant]:
    from pathways.participants.models import Participant

    if _referral_scope(user) is None:
        return Participant.objects.none()
    return Participant.objects.filter(
        Exists(referrals_for(user).filter(participant=OuterRef("pk")))
    )


def _service_wide_scope(user: Any) -> int | None:
    """The service whose employers and opportunities the user works with, if any."""
    if role_of(user) in (Role.WORKER, Role.MANAGER) and user.service_id:
        return int(user.service_id)
    return None


def employers_for(user: Any) -> QuerySet[Employer]:
    from pathways.employers.models import Employer

    service_id = _service_wide_scope(user)
    if service_id is None:
        return Employer.objects.none()
    return Employer.objects.filter(service_id=service_id)


def opportunities_for(user: Any) -> OpportunityQuerySet:
    from pathways.employers.models import Opportunity

    service_id = _service_wide_scope(user)
    if service_id is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(employer__service_id=service_id)


def placements_for(user: Any) -> PlacementQuerySet:
    """Placements of the referrals in the user's scope (a placement follows its referral)."""
    from pathways.placements.models import Placement

    if _referral_scope(user) is None:
        return Placement.objects.none()
    return Placement.objects.filter(Exists(referrals_for(user).filter(pk=OuterRef("referral_id"))))


class Action(Enum):
    """Changes a role may make. Whether a given record is in scope is checked separately."""

    REFER = "refer"
    AMEND_REFERRAL = "amend_referral"
    TRIAGE = "triage"
    ALLOCATE = "allocate"
    END_SUPPORT = "end_support"
    SEE_ACCESS_LOG = "see_access_log"
    SEE_SERVICE_FIGURES = "see_service_figures"
    RECORD_SUPPORT = "record_support"
    SEE_PLAN = "see_plan"
    SEE_CONTACTS = "see_contacts"
    SEE_TODO = "see_todo"
    MANAGE_EMPLOYERS = "manage_employers"
    MANAGE_PLACEMENTS = "manage_placements"
    EDIT_WORK_PROFILE = "edit_work_profile"
    RECORD_OUTCOMES = "record_outcomes"
    SET_TARGETS = "set_targets"
    SEE_DRILLDOWN = "see_drilldown"
    SEE_REPORTS = "see_reports"
    WRITE_REPORTS = "write_reports"
    IMPORT_PROBATION_DATA = "import_probation_data"
    EXPORT_JDL = "export_jdl"
    RECORD_EQUALITY = "record_equality"
    SEE_EQUALITY_REPORT = "see_equality_report"
    SEE_CONTRACT = "see_contract"
    MANAGE_CONTRACT = "manage_contract"
    RESTRICT_PROCESSING = "restrict_processing"
    SUBJECT_ACCESS = "subject_access"


_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.REFER: frozenset({Role.REFERRER, Role.MANAGER}),
    Action.AMEND_REFERRAL: frozenset({Role.REFERRER, Role.MANAGER}),
    Action.TRIAGE: frozenset({Role.MANAGER}),
    Action.ALLOCATE: frozenset({Role.MANAGER}),
    Action.END_SUPPORT: frozenset({Role.MANAGER, Role.WORKER}),
    Action.SEE_ACCESS_LOG: frozenset({Role.MANAGER}),
    Action.SEE_SERVICE_FIGURES: frozenset({Role.MANAGER, Role.COMMISSIONER}),
    # Support work: plans, readings, contacts, onward referrals. The referrer may read the
    # plan and progress of their own referrals, and concerns flagged for them, not contacts.
    Action.RECORD_SUPPORT: frozenset({Role.WORKER, Role.MANAGER}),
    Action.SEE_PLAN: frozenset({Role.REFERRER, Role.WORKER, Role.MANAGER}),
    Action.SEE_CONTACTS: frozenset({Role.WORKER, Role.MANAGER}),
    Action.SEE_TODO: frozenset({Role.WORKER, Role.MANAGER}),
    Action.MANAGE_EMPLOYERS: frozenset({Role.WORKER, Role.MANAGER}),
    Action.MANAGE_PLACEMENTS: frozenset({Role.WORKER, Role.MANAGER}),
    Action.EDIT_WORK_PROFILE: frozenset({Role.WORKER, Role.MANAGER}),
    # Orders and proven offences (measures 7 and 8), entered by hand.
    Action.RECORD_OUTCOMES: frozenset({Role.WORKER, Role.MANAGER}),
    # Measures: both see the figures; only the manager sees the named records behind them.
    Action.SET_TARGETS: frozenset({Role.MANAGER, Role.COMMISSIONER}),
    Action.SEE_DRILLDOWN: frozenset({Role.MANAGER}),
    # The RR Board report: figures only. The manager writes and generates it.
    Action.SEE_REPORTS: frozenset({Role.MANAGER, Role.COMMISSIONER}),
    Action.WRITE_REPORTS: frozenset({Role.MANAGER}),
    # Probation extracts (orders, offences, OASys ETE need, cohorts) and the Justice Data
    # Lab participant list: the whole service's people at once, so the manager only.
    Action.IMPORT_PROBATION_DATA: frozenset({Role.MANAGER}),
    Action.EXPORT_JDL: frozenset({Role.MANAGER}),
    # Equality monitoring: a person's answers are seen and recorded by workers and the
    # manager only; the report is aggregate (the commissioner's is disclosure-controlled).
    Action.RECORD_EQUALITY: frozenset({Role.WORKER, Role.MANAGER}),
    Action.SEE_EQUALITY_REPORT: frozenset({Role.MANAGER, Role.COMMISSIONER}),
    # The contract: managed by the provider's manager, read by the commissioner.
    Action.SEE_CONTRACT: frozenset({Role.MANAGER, Role.COMMISSIONER}),
    Action.MANAGE_CONTRACT: frozenset({Role.MANAGER}),
    # Data rights (UK GDPR articles 15 and 18): the service manager decides and acts.
    Action.RESTRICT_PROCESSING: frozenset({Role.MANAGER}),
    Action.SUBJECT_ACCESS: frozenset({Role.MANAGER}),
}


def can(user: Any, action: Action) -> bool:
    role = role_of(user)
    return role is not None and role in _ALLOWED[action] and user.service_id is not None
