"""The access matrix: for every URL of Pathways, what each role gets. One line per URL name.

``test_access_matrix.py`` enumerates every URL pattern from the resolver and fails on any
URL name (or unnamed route) that has no line here: a new page is denied until someone
declares who may use it. The table lives in the tests, not beside the views, on purpose: it
is an independent statement of the policy, written by hand, that the code is checked
against; deriving it from the code would prove nothing.

How to read a line::

    "plans:goal_add": Rule(STAFF, pk="case"),

GET as ``worker_north`` or ``manager`` answers 200; every other signed-in role gets 404
(and a forged POST by them is refused with 404 and changes nothing); an anonymous visitor is
sent to sign in (302 to ``/accounts/login/``). ``pk`` (and the other URL arguments, by
name) say which fixture record fills the URL: see ``RECORDS`` in the test module.

The records: a North referral receiving support, made by ``referrer``, allocated to
``worker_north`` (``case``), with a goal, a step, contacts, an onward referral, a work
profile and a started job placement with sustainment checks; a North referral awaiting a
decision (``received``); an employer and an open opportunity of the service. The outsider is
a manager of another service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "referrer",
    "other_referrer",
    "worker_north",
    "worker_south",
    "manager",
    "commissioner",
    "admin",
    "outsider",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
# People in scope of the North case who may work on it.
STAFF = frozenset({"worker_north", "manager"})
# The service's own workers and manager: employers and opportunities are service-wide.
SERVICE_STAFF = STAFF | {"worker_south"}
# Pages about the user's own service, whichever it is (the outsider sees their own).
OWN_SERVICE_STAFF = SERVICE_STAFF | {"outsider"}
# The service manager (the outsider manages their own service).
MANAGERS = frozenset({"manager", "outsider"})
# Figures about a service: its manager and its commissioner.
FIGURES = frozenset({"manager", "commissioner", "outsider"})
# Everyone who works with people's records (the outsider, in their own service).
CASEWORK = frozenset(
    {"referrer", "other_referrer", "worker_north", "worker_south", "manager", "outsider"}
)


@dataclass(frozen=True)
class Rule:
    """Who reaches a URL by GET, and with what answer.

    ``ok`` roles get ``status``; every other signed-in role gets ``other`` (404 unless
    said); ``anonymous`` gets ``anon`` (302 to sign-in unless said); ``special`` overrides
    single roles. ``pk`` names the record that fills ``<pk>``; ``args`` names the records
    of other URL arguments where the default for that argument name does not fit.
    """

    ok: frozenset[str]
    pk: str | None = None
    status: int = 200
    other: int = 404
    anon: int = 302
    special: dict[str, int] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)

    def expected(self, role: str) -> int:
        if role in self.special:
            return self.special[role]
        if role == "anonymous":
            return self.anon
        return self.status if role in self.ok else self.other


def admin_only(status: int = 200) -> Rule:
    """The Django admin: the administrator alone; everyone else goes to sign in."""
    return Rule(frozenset({"admin"}), status=status, other=302)


RULES: dict[str, Rule] = {
    # Pages that belong to no app
    "home": Rule(SIGNED_IN, status=302),  # to the role's own home page
    "healthz": Rule(SIGNED_IN, anon=200),
    "readyz": Rule(SIGNED_IN, anon=200),
    "login": Rule(NOBODY, other=302, anon=200),  # signed in: sent on
    "logout": Rule(NOBODY, other=405, anon=405),  # POST only
    "accounts:keep_alive": Rule(NOBODY, other=405),  # POST only ("Stay signed in")
    "accounts:session_status": Rule(SIGNED_IN, anon=200),  # seconds left, 0 when signed out
    # The footer's pages: open to everyone.
    "accessibility": Rule(SIGNED_IN, anon=200),
    # The phase banner's feedback page: open to everyone; what was given, to those who
    # act on it (the manager their service's, the administrator everyone's).
    "feedback": Rule(SIGNED_IN, anon=200),
    "feedback_thanks": Rule(SIGNED_IN, anon=200),
    "feedback_received": Rule(frozenset({"manager", "admin", "outsider"})),
    "privacy": Rule(SIGNED_IN, anon=200),
    "cookies": Rule(SIGNED_IN, anon=200),
    # Multi-factor sign-in (off in these tests: test_mfa.py switches it on). Set-up is open
    # to anyone signed in without an app; verifying and the codes page send others on.
    "accounts:mfa_setup": Rule(SIGNED_IN),
    "accounts:mfa_verify": Rule(NOBODY, other=302),
    "accounts:mfa_recovery_codes": Rule(NOBODY, other=302),
    # Single sign-on (OpenID Connect) is off in these tests, as it is unless configured: both
    # pages are 404 to everyone, audited. test_oidc.py switches it on and tests them there.
    "accounts:sso_start": Rule(NOBODY, anon=404),
    "accounts:sso_callback": Rule(NOBODY, anon=404),
    "refusal_flags": Rule(frozenset({"admin"})),
    # Notifications: Notify's delivery receipts (POST only, bearer token; its own tests in
    # notifications/tests), and each user's choice of the emails they get.
    "notifications:callback": Rule(NOBODY, other=405, anon=405),
    "notifications:preferences": Rule(SIGNED_IN),
    "more": Rule(SIGNED_IN),  # the navigation's other sections, for any role
    "notifications:text_consent": Rule(STAFF, pk="person"),
    # One sign-in page for everyone; a signed-in user who is not an administrator is refused.
    "admin_sign_in": Rule(frozenset({"admin"}), status=302),
    # Participants
    "participants:find": Rule(CASEWORK),
    "participants:detail": Rule(STAFF | {"referrer"}, pk="person"),
    "participants:access_log": Rule(frozenset({"manager"}), pk="person"),
    "participants:audit_export": Rule(frozenset({"manager"}), pk="person"),
    "participants:restrict": Rule(frozenset({"manager"}), pk="person"),
    "participants:subject_access": Rule(frozenset({"manager"}), pk="person"),
    "participants:subject_access_json": Rule(frozenset({"manager"}), pk="person"),
    "participants:subject_access_pdf": Rule(frozenset({"manager"}), pk="person"),
    # Referrals
    "referrals:list": Rule(CASEWORK),
    "referrals:create": Rule(
        frozenset({"referrer", "other_referrer", "manager", "outsider"}), status=302
    ),
    # Without answers in the session, back to the form.
    "referrals:check": Rule(
        frozenset({"referrer", "other_referrer", "manager", "outsider"}), status=302
    ),
    # A question page of a new referral; the known-person question, without answers in the
    # session, back to the start.
    "referrals:question": Rule(
        frozenset({"referrer", "other_referrer", "manager", "outsider"}), args={"step": "question"}
    ),
    "referrals:known_person": Rule(
        frozenset({"referrer", "other_referrer", "manager", "outsider"}), status=302
    ),
    "referrals:detail": Rule(STAFF | {"referrer"}, pk="case"),
    "referrals:accept": Rule(frozenset({"manager"}), pk="received"),
    "referrals:decline": Rule(frozenset({"manager"}), pk="received"),
    "referrals:allocate": Rule(frozenset({"manager"}), pk="case"),
    "referrals:end": Rule(STAFF, pk="case"),
    "referrals:amend": Rule(frozenset({"referrer", "manager"}), pk="case"),
    # The manager resolves a possible duplicate and decides proposed changes; neither
    # fixture referral is held or proposes changes, so the manager is sent back (302).
    "referrals:resolve_duplicate": Rule(frozenset({"manager"}), pk="received", status=302),
    "referrals:proposed_changes": Rule(frozenset({"manager"}), pk="case", status=302),
    "referrals:caseload": Rule(frozenset({"worker_north", "worker_south"})),
    "referrals:waiting_list": Rule(OWN_SERVICE_STAFF),
    "referrals:overview": Rule(frozenset({"manager", "commissioner", "outsider"})),
    # Pathway plans and progress
    "plans:plan": Rule(STAFF | {"referrer"}, pk="case"),
    "plans:goal_add": Rule(STAFF, pk="case"),
    "plans:goal_close": Rule(STAFF, pk="case"),
    "plans:step_add": Rule(STAFF, pk="case"),
    "plans:step_update": Rule(STAFF, pk="case"),
    # POST only (the move buttons on the plan); a GET by a user who may move steps goes
    # back to the plan.
    "plans:step_move": Rule(STAFF, pk="case", status=302),
    "plans:review_add": Rule(STAFF, pk="case"),
    "plans:progress": Rule(STAFF | {"referrer"}, pk="case"),
    "plans:reading_add": Rule(STAFF, pk="case"),
    "plans:figures": Rule(frozenset({"manager", "commissioner", "outsider"})),
    # Contacts and onward referrals
    "contacts:list": Rule(STAFF, pk="case"),
    "contacts:book": Rule(STAFF, pk="case"),
    "contacts:record": Rule(STAFF, pk="case"),
    "contacts:feedback": Rule(STAFF, pk="case", args={"contact_pk": "awaiting"}),
    "contacts:reschedule": Rule(STAFF, pk="case", args={"contact_pk": "booked"}),
    "contacts:onward_add": Rule(STAFF, pk="case"),
    "contacts:onward_outcome": Rule(STAFF, pk="case"),
    "contacts:todo": Rule(OWN_SERVICE_STAFF),
    # How support tapers: contacts per person per month, counts only; the manager's.
    "contacts:tapering": Rule(MANAGERS),
    # Employers and opportunities (service-wide records)
    "employers:list": Rule(OWN_SERVICE_STAFF),
    "employers:create": Rule(OWN_SERVICE_STAFF),
    "employers:detail": Rule(SERVICE_STAFF, pk="employer"),
    "employers:edit": Rule(SERVICE_STAFF, pk="employer"),
    "employers:contact_add": Rule(SERVICE_STAFF, pk="employer"),
    "employers:engagement_add": Rule(SERVICE_STAFF, pk="employer"),
    "employers:opportunity_create": Rule(SERVICE_STAFF, pk="employer"),
    "employers:opportunities": Rule(OWN_SERVICE_STAFF),
    "employers:opportunity": Rule(SERVICE_STAFF, pk="opportunity"),
    "employers:opportunity_edit": Rule(SERVICE_STAFF, pk="opportunity"),
    "employers:opportunity_close": Rule(SERVICE_STAFF, pk="opportunity"),
    "employers:opportunity_matches": Rule(SERVICE_STAFF, pk="opportunity"),
    # Placements (personal: they follow the referral)
    "placements:list": Rule(OWN_SERVICE_STAFF),
    "placements:detail": Rule(STAFF, pk="placement"),
    "placements:decide": Rule(STAFF, pk="placement", status=302),  # already decided
    "placements:start": Rule(STAFF, pk="placement", status=302),  # already started
    "placements:complete": Rule(STAFF, pk="placement"),
    "placements:end": Rule(STAFF, pk="placement"),
    "placements:check": Rule(STAFF, pk="check"),
    "placements:put_forward": Rule(STAFF),
    "placements:participant_matches": Rule(STAFF, pk="person"),
    "placements:work_profile": Rule(STAFF, pk="person"),
    # Outcomes: figures for the manager and commissioner of a service (the outsider sees their
    # own); the named records behind a measure for the manager alone.
    "outcomes:dashboard": Rule(FIGURES),
    "outcomes:targets": Rule(FIGURES),
    "outcomes:drilldown": Rule(MANAGERS, args={"key": "measure"}),
    "outcomes:order_add": Rule(STAFF, pk="person"),
    "outcomes:order_end": Rule(STAFF, pk="person", args={"order_pk": "order"}),
    "outcomes:offence_add": Rule(STAFF, pk="person"),
    "convictions:add": Rule(STAFF, pk="person"),
    "convictions:summary_pdf": Rule(STAFF, pk="person"),
    # The RR Board report: figures only; the manager writes and generates it.
    "reports:home": Rule(FIGURES),  # the commissioner's home: the figures owed
    "reports:board_list": Rule(FIGURES),
    "reports:board_new": Rule(NOBODY, other=405),  # POST only
    "reports:commentary": Rule(MANAGERS),
    "reports:board_detail": Rule(frozenset({"manager", "commissioner"}), pk="board"),
    "reports:board_download": Rule(
        frozenset({"manager", "commissioner"}), pk="board", args={"kind": "pdf"}
    ),
    "equality:report": Rule(FIGURES),
    "participants:equality": Rule(STAFF, pk="person"),
    # The contract: the manager manages it, the commissioner reads it.
    "contracts:detail": Rule(FIGURES),
    "contracts:edit": Rule(MANAGERS),
    # (The outsider's service has no contract yet: they are sent to record it first.)
    "contracts:part_new": Rule(
        frozenset({"manager"}), args={"kind": "payments"}, special={"outsider": 302}
    ),
    "contracts:part_edit": Rule(frozenset({"manager"}), pk="payment", args={"kind": "payments"}),
    # Probation extracts and the Justice Data Lab list: the manager alone.
    "imports:home": Rule(MANAGERS),
    "imports:batch": Rule(frozenset({"manager"}), pk="batch"),
    "imports:batch_report": Rule(frozenset({"manager"}), pk="batch"),
    "imports:conflicts": Rule(MANAGERS),
    "imports:jdl": Rule(MANAGERS),
    "imports:jdl_download": Rule(MANAGERS, args={"fmt": "csv"}),
    # The integration API (pathways/api): its operations answer a client's bearer token only,
    # so to every session 401 (or 405 for a POST-only route); their own matrix is
    # pathways/api/tests/api_matrix.py, by client scope. The documentation is open to all;
    # the clients are registered and suspended by the administrator.
    "api_token": Rule(NOBODY, other=405, anon=405),  # POST only
    "api_docs": Rule(SIGNED_IN, anon=200),
    "api:openapi-json": Rule(SIGNED_IN, anon=200),
    "api:referral_create": Rule(NOBODY, other=401, anon=401),  # GET is the list
    "api:referral_list": Rule(NOBODY, other=401, anon=401),
    "api:referral_get": Rule(NOBODY, other=401, anon=401, args={"referral_id": "received"}),
    "api:figures": Rule(NOBODY, other=401, anon=401),
    "api:figures_equality": Rule(NOBODY, other=401, anon=401),
    "api:import_create": Rule(NOBODY, other=405, anon=405),  # POST only
    "api:import_get": Rule(NOBODY, other=401, anon=401, args={"import_id": "batch"}),
    "api_clients:list": Rule(frozenset({"admin"})),
    "api_clients:register": Rule(frozenset({"admin"})),
    "api_clients:detail": Rule(frozenset({"admin"}), pk="api_client"),
    "api_clients:suspend": Rule(frozenset({"admin"}), pk="api_client"),
    "api_clients:reinstate": Rule(frozenset({"admin"}), pk="api_client"),
    # django-axes's records are read-only, for the administrator to see and clear lockouts.
    "admin:axes_accessattempt_add": admin_only(403),
    "admin:axes_accesslog_add": admin_only(403),
    "admin:axes_accessfailurelog_add": admin_only(403),
    # Background task results are written by the workers, never added by hand.
    "admin:django_tasks_database_dbtaskresult_add": admin_only(403),
    # Messages are recorded by the notifications app, never added by hand.
    "admin:notifications_message_add": admin_only(403),
}

# The Django admin's URL names are many and generated per model; every one of them (names
# beginning "admin:") answers to the administrator alone. The test checks the index, the app
# lists, every change list and every add form for every role, and that no admin URL is
# reachable by any other role.
ADMIN_PREFIX = "admin:"
ADMIN_RULE = admin_only()
# Admin URLs with arguments other than the app label (and the admin's unnamed redirect
# routes, "route:admin/...") are checked through the change lists (they share the same
# permission check) rather than one by one.
ADMIN_SKIP_SUFFIXES = (
    "_change",
    "_delete",
    "_history",
    "_password_change",
    "_config",  # django-otp: a device's set-up page
    "_qrcode",  # django-otp: a device's QR code
)
ADMIN_SKIP = {
    "admin:view_on_site",  # redirects to the record's own page
    "admin:autocomplete",  # needs query parameters
    "admin:jsi18n",  # the admin's JavaScript catalogue
    "admin:login",  # replaced by the route "admin/login/" above
    "admin:logout",  # POST only
    "admin:password_change_done",
}

# Which pages show personal data about the people supported (names, identifiers, their
# records). Every URL in RULES is in exactly one of the two sets below (a new page fails
# ``test_every_url_says_whether_it_shows_personal_data`` until it is put in one), and each
# page in SHOWS_PERSONAL_DATA, answered 200 to a role allowed it, must write a view or
# export audit event (``test_access_matrix``). The Django admin holds staff accounts and
# reference data only.
SHOWS_PERSONAL_DATA = frozenset(
    {
        "participants:detail",
        "participants:access_log",
        "participants:audit_export",
        "participants:restrict",
        "participants:subject_access",
        "participants:subject_access_json",
        "participants:subject_access_pdf",
        "participants:equality",
        "notifications:text_consent",
        "referrals:list",
        "referrals:known_person",  # people in the user's scope a referral matches, audited
        "referrals:detail",
        "referrals:accept",
        "referrals:decline",
        "referrals:allocate",
        "referrals:end",
        "referrals:amend",
        "referrals:resolve_duplicate",
        "referrals:proposed_changes",
        "referrals:caseload",
        "referrals:waiting_list",
        "plans:plan",
        "plans:goal_add",
        "plans:goal_close",
        "plans:step_add",
        "plans:step_update",
        "plans:review_add",
        "plans:progress",
        "plans:reading_add",
        "contacts:list",
        "contacts:book",
        "contacts:record",
        "contacts:feedback",
        "contacts:reschedule",
        "contacts:onward_add",
        "contacts:onward_outcome",
        "contacts:todo",
        "employers:opportunity",  # the people put forward to it
        "employers:opportunity_matches",  # the people who fit it
        "placements:list",
        "placements:detail",
        "placements:decide",
        "placements:start",
        "placements:complete",
        "placements:end",
        "placements:check",
        "placements:put_forward",
        "placements:participant_matches",
        "placements:work_profile",
        "outcomes:drilldown",
        "outcomes:order_add",
        "outcomes:order_end",
        "outcomes:offence_add",
        "convictions:add",
        "convictions:summary_pdf",
        "imports:jdl_download",
        "imports:batch_report",  # the CRNs of rows in error or skipped
        "imports:conflicts",  # names the people whose records differ
        # The API's referrals and imports (a referral's status; an import's errors quote
        # the file): each call audited as the client.
        "api:referral_create",
        "api:referral_list",
        "api:referral_get",
        "api:import_create",
        "api:import_get",
    }
)
NO_PERSONAL_DATA = frozenset(
    {
        "home",
        "api_token",
        "api_docs",  # generated from the OpenAPI document
        "api:openapi-json",
        "api:figures",  # aggregate figures only
        "api:figures_equality",  # disclosure-controlled counts
        "api_clients:list",  # systems, their services and scopes
        "api_clients:register",
        "api_clients:detail",
        "api_clients:suspend",
        "api_clients:reinstate",
        "healthz",
        "readyz",
        "login",
        "logout",
        "accounts:keep_alive",
        "accounts:session_status",
        "accessibility",
        "feedback",  # asks nothing personal
        "feedback_thanks",
        "feedback_received",  # a rating, a suggestion, a role
        "privacy",
        "cookies",
        "accounts:mfa_setup",
        "accounts:mfa_verify",
        "accounts:mfa_recovery_codes",
        "accounts:sso_start",
        "accounts:sso_callback",
        "refusal_flags",  # staff accounts, not the people supported
        "notifications:callback",
        "notifications:preferences",
        "more",
        "admin_sign_in",
        # The search form; the results are posted, and audited
        # (pathways/casework/tests/test_list_audit.py::test_search_results_are_audited).
        "participants:find",
        "referrals:create",  # a new referral's start: on to its first question
        "referrals:question",  # the user's own answers, not yet a record
        "referrals:check",  # the user's own answers, not yet a record
        "referrals:overview",  # figures
        "plans:step_move",  # POST only
        "plans:figures",
        "contacts:tapering",  # counts only
        # Employers, their contacts (business contact details) and opportunities.
        "employers:list",
        "employers:create",
        "employers:detail",
        "employers:edit",
        "employers:contact_add",
        "employers:engagement_add",
        "employers:opportunity_create",
        "employers:opportunities",
        "employers:opportunity_edit",
        "employers:opportunity_close",
        "outcomes:dashboard",
        "outcomes:targets",
        "reports:home",  # figures
        "reports:board_list",
        "reports:board_new",
        "reports:commentary",
        "reports:board_detail",
        "reports:board_download",
        "equality:report",  # disclosure-controlled figures
        "contracts:detail",
        "contracts:edit",
        "contracts:part_new",
        "contracts:part_edit",
        "imports:home",
        # An import's page: the fixture's import has no errors, so it shows no CRN; with
        # errors or skipped rows each view is audited (pathways/imports/tests/test_views.py).
        "imports:batch",
        "imports:jdl",  # the list's count and columns; the download is audited
    }
)
