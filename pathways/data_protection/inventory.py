"""The personal-data inventory: every field of every model, tagged, in one place.

Each model of Pathways is either a ``Record`` here, with every concrete field tagged, or in
``NOT_PERSONAL`` with the reason. A test fails on a model or field that is neither, so a new
field cannot hold personal data unnoticed; ``manage.py data_inventory`` writes
docs/data-protection.md from this module, to support the DPIA.

Tags say what a field reveals on its own: ``ordinary`` personal data, ``special`` category
data (UK GDPR article 9: health, ethnicity, religion, sex life, ...), ``criminal`` offence
data (article 10: convictions, orders, licence conditions, risk of offending), or ``none``
(not personal on its own: ids, reference data, hashes). In context every record about a
participant is criminal offence data (being on probation is itself such data), so the
whole service is run under an article 10 condition; the tags show which fields need the
most care (who may see them, what an export holds, what a purge must remove).

Retention is written per record from the end of support of the person's last episode.
The schedule is stated here for the DPIA, worded from the periods in ``schedule.py``;
``retention.py`` applies the same periods (the daily purge): people's records, staff
accounts, employers' contacts, import reports and the audit trail. Records that only name a
staff account keep it; the account itself is anonymised at the end of its retention.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pathways.data_protection.schedule import (
    AUDIT_RETENTION_YEARS,
    DECLINED_RETENTION_YEARS,
    EMPLOYER_CONTACT_RETENTION_YEARS,
    FEEDBACK_RETENTION_YEARS,
    IMPORT_REPORT_RETENTION_YEARS,
    STAFF_RETENTION_YEARS,
    SUPPORT_RETENTION_YEARS,
    years,
)


class Tag(StrEnum):
    NONE = "not personal"
    ORDINARY = "ordinary"
    SPECIAL = "special category"
    CRIMINAL = "criminal offence"


@dataclass(frozen=True)
class Record:
    about: str  # whose data it is
    retention: str
    fields: dict[str, Tag]


def tags(
    *, none: str = "", ordinary: str = "", special: str = "", criminal: str = ""
) -> dict[str, Tag]:
    """Field names (space-separated) by tag."""
    tagged: dict[str, Tag] = {}
    for tag, names in (
        (Tag.NONE, none),
        (Tag.ORDINARY, ordinary),
        (Tag.SPECIAL, special),
        (Tag.CRIMINAL, criminal),
    ):
        for name in names.split():
            assert name not in tagged, f"{name} tagged twice"
            tagged[name] = tag
    return tagged


SUPPORT = f"{years(SUPPORT_RETENTION_YEARS)} after the end of the person's last episode of support"
DECLINED = (
    f"{years(DECLINED_RETENTION_YEARS)} after the referral was declined, "
    "if the person has no other episode"
)
STAFF = f"anonymised {years(STAFF_RETENTION_YEARS)} after the account is made inactive"
NAMES_STAFF = f"while the service runs; the staff account it names is {STAFF}"
AUDIT = (
    f"{years(AUDIT_RETENTION_YEARS)}, then deleted oldest first (the chain is proved from a "
    "checkpoint); kept after a person's purge with its ids, which then point at nothing"
)
EMPLOYER_CONTACT = (
    f"deleted {years(EMPLOYER_CONTACT_RETENTION_YEARS)} after the employer's last engagement "
    "(or after it was added, if later)"
)
IMPORT_REPORT = (
    f"error report and file name deleted {years(IMPORT_REPORT_RETENTION_YEARS)} after the "
    "import; the counts are kept"
)
FEEDBACK = f"deleted {years(FEEDBACK_RETENTION_YEARS)} after it was given"

RECORDS: dict[str, Record] = {
    "participants.participant": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="first_name last_name date_of_birth gender phone email address area "
            "location created_at created_by processing_restricted_at "
            "processing_restricted_reason processing_restricted_by",
            criminal="crn pnc_id prison_number",
        ),
    ),
    "participants.workprofile": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="participant other_qualifications sectors holds travel_patches "
            "updated_at updated_by",
            criminal="offence_categories restrictions restriction_notes",
        ),
    ),
    "referrals.referral": Record(
        "participant",
        f"{SUPPORT}; {DECLINED}",
        tags(
            none="id service patch decline_reason end_reason",
            ordinary="participant referred_by reason ete_needs interpreter_language "
            "consent_given consent_date received_at accepted_at accepted_by declined_at "
            "declined_by decline_note started_at override_reason worker allocated_at ended_at "
            "ended_by end_note closing_summary held_at held_matches hold_resolved_at "
            "hold_resolved_by hold_resolution hold_reason proposed_changes",
            special="accessibility_needs",
            criminal="source cohort order_type order_end_date order_ended_reason prison_name "
            "expected_release_date risk_information risk_flags",
        ),
    ),
    "referrals.referralamendment": Record(
        "participant",
        SUPPORT,
        tags(none="id", ordinary="referral at by reason", criminal="changes"),
    ),
    "plans.pathwayplan": Record(
        "participant", SUPPORT, tags(none="id", ordinary="referral created_at created_by")
    ),
    "plans.goal": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="plan title area target_date created_at created_by achieved_on "
            "withdrawn_on withdrawn_reason closed_by",
        ),
    ),
    "plans.step": Record(
        "participant",
        SUPPORT,
        tags(
            none="id position",
            ordinary="goal description created_at created_by started_on done_on dropped_on "
            "dropped_reason",
        ),
    ),
    "plans.planreview": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="plan reviewed_on reason what_changed next_review_due reviewed_by created_at",
        ),
    ),
    "plans.reading": Record(
        "participant",
        SUPPORT,
        tags(
            none="id instrument",
            ordinary="referral taken_on kind note taken_by created_at total span",
        ),
    ),
    "plans.readingscore": Record(
        "participant", SUPPORT, tags(none="id area", ordinary="reading score")
    ),
    "contacts.contact": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="referral starts_at mode duration_minutes location placement booked_by "
            "created_at superseded_by reschedule_reason outcome_recorded_at "
            "outcome_recorded_by happened attended not_happened_reason tell_referrer",
            # Mentoring notes are free text and often touch on health and substance use.
            special="notes",
        ),
    ),
    "contacts.onwardreferral": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="referral organisation referred_on made_by created_at outcome outcome_on",
            # The kind of service (substance misuse, mental health) reveals health.
            special="kind note outcome_note",
        ),
    ),
    "placements.placement": Record(
        "participant",
        SUPPORT,
        tags(
            none="id service end_reason",
            ordinary="referral participant opportunity put_forward_at put_forward_by "
            "put_forward_note accepted_on declined_on decision_note started_on completed_on "
            "ended_early_on end_note",
        ),
    ),
    "placements.sustainmentcheck": Record(
        "participant",
        SUPPORT,
        tags(
            none="id service weeks",
            ordinary="placement due_on checked_on in_work checked_by note",
        ),
    ),
    "core.auditevent": Record(
        "participants and staff (pseudonymous: ids, never names)",
        AUDIT,
        tags(
            none="id kind action object_type prev_hash hash",
            ordinary="at actor object_id subject_id episode_id summary detail",
        ),
    ),
    "accounts.user": Record(
        "staff",
        STAFF,
        tags(
            none="id is_superuser is_staff is_active groups user_permissions deactivated_at "
            "anonymised_at",
            ordinary="password last_login username first_name last_name email date_joined "
            "role service patch organisation oidc_subject oversees",
        ),
    ),
    "employers.employercontact": Record(
        "employers' staff",
        EMPLOYER_CONTACT,
        tags(none="id employer added_at", ordinary="name role phone email"),
    ),
    "employers.engagement": Record(
        "staff (who engaged the employer)",
        NAMES_STAFF,
        tags(
            none="id employer on what_happened next_step recorded_at",
            ordinary="worker next_step_by",
        ),
    ),
    "employers.employer": Record(
        "staff (owning worker)",
        NAMES_STAFF,
        tags(
            none="id service name kind sector patch address size "
            "employs_people_with_convictions disclosure_practice",
            ordinary="owner created_at created_by",
        ),
    ),
    "employers.opportunity": Record(
        "staff (who created it)",
        NAMES_STAFF,
        tags(
            none="id employer kind title sector places_available patch location start_date "
            "closing_date hours pay dbs_level exclusion_policy exclusion_details closed_at "
            "requirements excluded_categories",
            ordinary="created_at created_by",
        ),
    ),
    "participants.equalityrecord": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="participant updated_at updated_by",
            special="sex gender_same_as_birth ethnicity religion sexual_orientation disability",
        ),
    ),
    "outcomes.order": Record(
        "participant",
        SUPPORT,
        tags(
            none="id source source_ref",
            ordinary="participant recorded_by recorded_at",
            criminal="order_type start_date expected_end_date actual_end_date termination note",
        ),
    ),
    "outcomes.provenoffence": Record(
        "participant",
        SUPPORT,
        tags(
            none="id source source_ref",
            ordinary="participant recorded_by recorded_at",
            criminal="committed_on proven_on proven_by category disposal",
        ),
    ),
    "convictions.conviction": Record(
        "participant",
        SUPPORT,
        tags(
            none="id source source_ref",
            ordinary="participant recorded_by recorded_at",
            criminal="convicted_on caution offence offence_category specified_offence "
            "spent_state spent_on filtered_from",
        ),
    ),
    "convictions.sentence": Record(
        "participant",
        SUPPORT,
        tags(
            none="id conviction",
            criminal="type length length_unit schedule_18 endorsement ends_on until_further_order",
        ),
    ),
    "imports.eteneedassessment": Record(
        "participant",
        SUPPORT,
        tags(none="id batch", ordinary="participant assessed_on ete_need score"),
    ),
    "imports.cohortmembership": Record(
        "participant",
        SUPPORT,
        # Being in the IOM cohort says the person is a prolific or priority offender.
        tags(none="id batch", ordinary="participant joined_on", criminal="cohort"),
    ),
    "imports.importbatch": Record(
        "staff (the import's error report quotes CRNs and rows of the extract)",
        IMPORT_REPORT,
        tags(
            none="id service kind checksum finished_at dry_run status matched total_rows "
            "rows_processed created updated unchanged skipped_unknown error_count",
            ordinary="file_name uploaded_by uploaded_at",
            criminal="report",
        ),
    ),
    "outcomes.target": Record(
        "staff",
        NAMES_STAFF,
        tags(
            none="id service measure_key period_start period_end kind value",
            ordinary="set_by set_at",
        ),
    ),
    "reports.commentary": Record(
        "staff",
        NAMES_STAFF,
        tags(none="id service period_start period_end text", ordinary="updated_by updated_at"),
    ),
    "reports.boardreport": Record(
        "staff",
        NAMES_STAFF,
        # The report itself is counts only, disclosure-controlled: no person is named.
        tags(
            none="id service period_start period_end status progress progress_note "
            "as_of finished_at figures pdf xlsx error",
            ordinary="requested_by requested_at",
        ),
    ),
    "notifications.message": Record(
        "staff and participants (who was told what, by template)",
        f"{SUPPORT} for texts (deleted with the person); {NAMES_STAFF} for emails",
        tags(
            none="id reference template channel event_id status attempts next_attempt_at "
            "error notify_id",
            # Staff emails' personalisation is a reference and a link; a text's is the
            # worker's first name and the appointment's time and place.
            ordinary="user participant personalisation created_at sent_at status_at",
        ),
    ),
    "notifications.textconsent": Record(
        "participant",
        SUPPORT,
        tags(
            none="id",
            ordinary="participant given_on recorded_by withdrawn_on withdrawn_recorded_by",
        ),
    ),
    "core.feedback": Record(
        "no one named: the role and service of whoever gave it; the suggestion is free text, "
        "which the page asks to hold no personal information",
        FEEDBACK,
        tags(none="id given_at satisfaction role service", ordinary="improvement"),
    ),
    "notifications.preference": Record(
        "staff", NAMES_STAFF, tags(none="id template", ordinary="user")
    ),
}

NOT_PERSONAL: dict[str, str] = {
    "accounts.service": "the service: name and capacity",
    "accounts.patch": "a geographic patch of the service",
    "accounts.area": "a local authority area of a patch",
    "referrals.declinereason": "reference data: reasons for declining",
    "referrals.endreason": "reference data: reasons support ends",
    "plans.instrument": "reference data: a distance-travelled instrument",
    "plans.instrumentarea": "reference data: an area of an instrument",
    "plans.instrumentband": "reference data: a band of an instrument's scale",
    "employers.sector": "reference data: work sectors",
    "employers.requirement": "reference data: cards, licences and qualifications",
    "employers.offencecategory": "reference data: offence categories (no person)",
    "placements.placementendreason": "reference data: reasons a placement ends",
    "outcomes.targettolerance": "a service's amber tolerance for its targets",
    "outcomes.ordermeasuresetting": "which order types measure 7's headline counts, per "
    "service (no person)",
    "outcomes.periodsnapshot": "a service's figures for a closed period, frozen before a "
    "purge: counts, shares and averages (equality figures disclosure-controlled); no person",
    "outcomes.keptfigures": "a service's figures for a closed period, counted once as at its "
    "last day and kept for the pages: counts, shares and averages (equality figures "
    "disclosure-controlled); no person",
    "outcomes.kepttotal": "the total of several services for a closed period (each person "
    "counted once), counted once as at its last day and kept for the pages: the measures' "
    "counts, shares and averages, and the services' ids; no person",
    "contracts.contract": "the service's contract with its commissioner (organisations)",
    "contracts.extension": "an extension option of the contract",
    "contracts.annualvalue": "the contract's value for a contract year",
    "contracts.cofunder": "a funding organisation and its share",
    "contracts.payment": "a payment under the contract",
    "contracts.milestone": "a procurement milestone of the contract",
    "core.scheduledjob": "when each periodic job last ran (its name and a time)",
    "core.tasklease": "a background task's hold on a record: the record's id, times, and "
    "the uploaded file's generated name (no person)",
    "api.apiclient": "a system registered to use the API: its name, service, scopes and "
    "the account it acts as (an account of its own, not a person)",
    "api.idempotencykey": "a key an API client sent with a referral, a hash of the body and "
    "the referral's id (no person)",
    "api.callwindow": "how many calls an API client made in the current minute (no person)",
}

OTHER_STORES = [
    (
        "Sessions (django.contrib.sessions)",
        "the signed-in user's id and sign-in times; ended at sign-out, after 30 minutes "
        "idle or 12 hours",
    ),
    (
        "Sign-in attempts (django-axes AccessAttempt)",
        "a keyed hash of the username typed (never the text), IP address and browser; "
        "cleared after a successful sign-in or the 30-minute cool-off",
    ),
    (
        "Logs",
        "request paths with record ids, never names or identifiers (searches are posted, "
        "not put in URLs); a test writes a canary value and searches every log for it",
    ),
    (
        "Task queue (Redis, when REDIS_URL is set)",
        "background tasks and their arguments: record ids and an uploaded file's generated "
        "name, never personal data; a finished task's result is kept for minutes",
    ),
]
