"""Pathways settings, read from the environment.

SQLite is the embedded default; set DATABASE_URL (postgres://...) for PostgreSQL.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The development key is only acceptable when DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("PATHWAYS_ALLOW_DEV_KEY", False):
        raise RuntimeError("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "pathways-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "oauth2_provider",
    *(["django_rq", "django_tasks_rq"] if env_str("REDIS_URL", "") else []),
    "pathways.core",
    "pathways.accounts",
    "pathways.rehabilitation",
    "pathways.participants",
    "pathways.referrals",
    "pathways.plans",
    "pathways.contacts",
    "pathways.employers",
    "pathways.convictions",
    "pathways.placements",
    "pathways.outcomes",
    "pathways.casework",
    "pathways.notifications",
    "pathways.reports",
    "pathways.imports",
    "pathways.contracts",
    "pathways.data_protection",
    "pathways.demo",
    "pathways.api",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (pathways/core/logs.py).
    "pathways.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pathways.core.middleware.SessionTimeoutMiddleware",
    "pathways.accounts.mfa.MfaRequiredMiddleware",
    "pathways.core.middleware.PrivateCacheMiddleware",
    # Each data table in its own focusable scroll region (reflow at 320 px, WCAG 1.4.10).
    "pathways.core.middleware.TableScrollMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pathways.core.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "pathways.core.forms.GovUKFormRenderer"

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    # Health checks: a kept connection that the server dropped (a restart, a cut) is
    # replaced on its next use, in web requests and workers alike (docs/operations.md).
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the report aggregates afresh on every query and costs
        # more than it saves at our sizes (bench/measures_at_scale.py: about 200 ms of 1.4 s).
        # Reads of an index cost about as much as reads in sequence (SSD, or a database held
        # in memory): at the default (4) the planner reads every service's placements to find
        # one service's, so a page slowed as services were added (bench/pages_by_services.py).
        DATABASES["default"]["OPTIONS"] = {"options": "-c jit=off -c random_page_cost=1.1"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE takes the write lock at the start of every transaction, so two
            # accepts cannot both read a free place (the capacity rule relies on it).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# Passwords: 12 characters or more, not common, not a common one dressed up, no
# composition rules (pathways/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "pathways.accounts.passwords.BreachedLookingPasswordValidator"},
]
# Stored with argon2id (pathways/accounts/passwords.py: OWASP's parameters); passwords kept
# with PBKDF2 before still sign in, and are re-hashed with argon2id as they do.
PASSWORD_HASHERS = [
    "pathways.accounts.passwords.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on through OpenID Connect (mozilla-django-oidc; pathways/accounts/oidc.py).
# Off unless OIDC_RP_CLIENT_ID is set: then the backend below is added, the sign-in page
# offers "Sign in with OIDC_PROVIDER_NAME", and /accounts/sso/ answers (404 otherwise).
# It never creates users: it signs in an existing, active Pathways account, matched by the
# provider's subject id once bound, or at first by a verified email (decision 0008).
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
# The ID token's "iss" must equal this when it is set (recommended).
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your organisation's account")
# True: a provider's ID token whose "amr" shows multi-factor sign-in (one of
# OIDC_MFA_AMR_VALUES) stands in for Pathways' own code; otherwise the code is still asked.
OIDC_PROVIDER_ENFORCES_MFA = env_bool("OIDC_PROVIDER_ENFORCES_MFA", False)
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", ["mfa", "otp", "hwk"])
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
OIDC_BACKEND = "pathways.accounts.oidc.PathwaysOIDCBackend"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append(OIDC_BACKEND)

# Multi-factor sign-in (django-otp; pathways/accounts/mfa.py): on unless switched off, which
# only `make run`'s demo and the test settings do.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Pathways"
# The admin never shows an authenticator's secret or its QR code: whoever saw it could
# make codes for that user. A lost device is deleted and the user enrols again.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Lockout (django-axes): 5 failures for one username lock it for AXES_COOLOFF_TIME, with
# the same page whether or not an account has that username. Counted by a keyed hash of
# the username (pathways.accounts.lockout.username_key), so nothing typed is stored.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "pathways.accounts.lockout.username_key"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # successes are in the audit trail
AXES_SENSITIVE_PARAMETERS = ["username", "password", "token", "otp_token"]
AXES_VERBOSE = False
# axes.W006 asks for the IP address as a lockout key too. Not here: staff share office and
# VPN addresses, so one person's mistakes would lock out a whole office; the username key
# cannot be dodged by changing browser or cookies, which is what the warning is about.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Who users write to about the service, named on the accessibility statement and privacy
# notice (pathways/core/views.py). Empty: the pages name the role to ask for, no address.
SERVICE_CONTACT_EMAIL = env_str("SERVICE_CONTACT_EMAIL", "")
SERVICE_CONTACT_NAME = env_str("SERVICE_CONTACT_NAME", "the Pathways service manager")

# Sessions and cookies (docs/security.md): a session ends after SESSION_IDLE_TIMEOUT
# without a request and SESSION_COOKIE_AGE after sign-in whatever happens (both enforced by
# pathways.core.middleware.SessionTimeoutMiddleware, on the server, with or without
# JavaScript); SESSION_TIMEOUT_WARNING before the idle limit the page offers to stay.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_TIMEOUT_WARNING = env_int("SESSION_TIMEOUT_WARNING", 2 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

# Headers. HSTS is sent on HTTPS responses only, and never in development.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):  # behind a proxy that terminates TLS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): scripts, styles, fonts and images from this site
# only, no inline script or style anywhere (admin included), no framing, forms post here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

PAGE_SIZE = env_int("PAGE_SIZE", 25)

# Uploaded probation extracts wait here for the background import (the worker must see it).
IMPORT_UPLOAD_DIR = Path(env_str("IMPORT_UPLOAD_DIR", str(BASE_DIR / "var" / "imports")))
# Equality monitoring: counts from 1 to this are suppressed before figures leave the manager.
PATHWAYS_DISCLOSURE_THRESHOLD = env_int("PATHWAYS_DISCLOSURE_THRESHOLD", 4)
# A user refused this many times within an hour is flagged to the administrator.
REFUSAL_FLAG_THRESHOLD = env_int("REFUSAL_FLAG_THRESHOLD", 10)

# The integration API (pathways/api, docs/api.md): OAuth2 client credentials tokens live
# this many seconds (an hour at most); each client may make API_RATE_LIMIT calls in each
# window of API_RATE_WINDOW seconds (counted in Django's cache), then is told to wait.
API_TOKEN_SECONDS = min(env_int("API_TOKEN_SECONDS", 3600), 3600)
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_SECONDS,
    "SCOPES_BACKEND_CLASS": "pathways.api.oauth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "pathways.api.oauth.Validator",
}

# Logs carry request paths and record ids, never personal data (see docs/architecture.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object a line, with the request's id (pathways/core/logs.py).
        "json": {"()": "pathways.core.logs.JsonFormatter"},
    },
    # An exception's message can quote personal data: every handler withholds it, keeping
    # the type and the traceback's frames (pathways/core/log_privacy.py).
    "filters": {
        "withhold_exception_text": {"()": "pathways.core.log_privacy.WithholdExceptionText"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_str("LOG_FORMAT", "plain" if DEBUG else "json"),
            "filters": ["withhold_exception_text"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every page it lays out; only its warnings are worth keeping.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Django's own handlers (its console when DEBUG, mail to ADMINS) would write an
        # exception's message: its records go through the console above instead.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "propagate": False},
    },
}

# Notifications (pathways/notifications; docs/notifications.md). With NOTIFY_API_KEY set they
# go through GOV.UK Notify (key "{name}-{service id}-{secret}"); without it emails go through
# Django's email backend (the console under DEBUG) and texts are logged without the number.
# NOTIFY_TEMPLATE_IDS: "template_key=notify-template-uuid,..." for every template in
# docs/notifications.md. Notify's delivery receipts post to /notifications/callback/ with
# "Authorization: Bearer NOTIFY_CALLBACK_TOKEN" (refused while it is unset).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)
NOTIFY_TEMPLATE_IDS = dict(
    item.split("=", 1) for item in env_list("NOTIFY_TEMPLATE_IDS", []) if "=" in item
)
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN", "")
# The address of this site, for the links in emails.
PATHWAYS_BASE_URL = env_str("PATHWAYS_BASE_URL", "http://127.0.0.1:8000")
# Days that are not working days besides weekends (bank holidays), as YYYY-MM-DD.
NON_WORKING_DAYS = env_list("NON_WORKING_DAYS", [])
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pathways@localhost")

# Background work through Django's Tasks API (the django-tasks backport): the database
# backend by default, run by `python manage.py db_worker`; "immediate" runs each task in
# the request (the demo and the tests); an RQ backend on Redis can be configured for scale.
# Tasks: the RR Board report, probation imports, the retention purge
# (data_protection/retention.py).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    # RQ, keeping a task in the database while Redis cannot be reached (core/queue.py).
    "rq": "pathways.core.queue.RQWithFallbackBackend",
}
# Redis (REDIS_URL set): the same tasks go through RQ (`manage.py rqworker --job-class
# django_tasks_rq.Job default`); docs/operations.md has the process model.
REDIS_URL = env_str("REDIS_URL", "")
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
TASKS: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": _TASK_BACKENDS[
            env_str("TASKS_BACKEND", "immediate" if DEBUG else ("rq" if REDIS_URL else "database"))
        ]
    }
}
if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"]:
    TASKS["fallback"] = {"BACKEND": _TASK_BACKENDS["database"]}
