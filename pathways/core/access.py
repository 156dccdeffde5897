"""What each role may do: the roles, the actions, and the one check (``can``, ``require``).

Which records a user may see is decided where the records are known: the referral scope per
role in ``pathways/referrals/access.py`` (``referrals_for``, ``participants_for``), and the
scopes derived from it in the lowest app that knows both entities
(``placements/access.py``, ``employers/access.py``). docs/architecture.md has the table.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pathways.core.errors import NotPermitted
from pathways.core.roles import Role

__all__ = ["Action", "Role", "can", "require", "role_of"]


def role_of(user: Any) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


class Action(Enum):
    """What a role may see or do: each page and each change names one. Whether a given
    record is in the user's scope is checked separately (``referrals/access.py``)."""

    SEE_REFERRALS = "see_referrals"
    FIND_PEOPLE = "find_people"
    SEE_CASELOAD = "see_caseload"
    SEE_WAITING_LIST = "see_waiting_list"
    ADMINISTER = "administer"
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
    SEE_FEEDBACK = "see_feedback"


_ALLOWED: dict[Action, frozenset[Role]] = {
    # Lists of the records in the user's scope (the scope itself is referrals/access.py).
    Action.SEE_REFERRALS: frozenset({Role.REFERRER, Role.WORKER, Role.MANAGER}),
    Action.FIND_PEOPLE: frozenset({Role.REFERRER, Role.WORKER, Role.MANAGER}),
    Action.SEE_CASELOAD: frozenset({Role.WORKER}),
    Action.SEE_WAITING_LIST: frozenset({Role.WORKER, Role.MANAGER}),
    # Users, patches, areas and reference data, and the refusals flagged; no case records.
    Action.ADMINISTER: frozenset({Role.ADMIN}),
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
    # Feedback given through the phase banner (no person in it): the service manager reads
    # their service's, the administrator everyone's (core/feedback.py).
    Action.SEE_FEEDBACK: frozenset({Role.MANAGER, Role.ADMIN}),
}


def can(user: Any, action: Action) -> bool:
    """The role may take the action. Every role but the administrator works in a service
    (accounts.User.clean), and a user whose service is missing may take none."""
    role = role_of(user)
    if role is None or role not in _ALLOWED[action]:
        return False
    return role is Role.ADMIN or user.service_id is not None


def require(actor: Any, action: Action) -> None:
    """The check every service makes before a change: the actor's role may do this."""
    if not can(actor, action):
        raise NotPermitted("Your role does not allow this.")
