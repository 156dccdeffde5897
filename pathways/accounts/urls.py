from __future__ import annotations

from django.urls import path

from pathways.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    # Seconds left, read without renewing the session (core.middleware.SESSION_STATUS_PATH).
    path("session/", views.session_status, name="session_status"),
    path("mfa/set-up/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    # Single sign-on (OpenID Connect): 404 unless OIDC_RP_CLIENT_ID is set.
    path("sso/start/", oidc.SignInStart.as_view(), name="sso_start"),
    path("sso/callback/", oidc.SignInCallback.as_view(), name="sso_callback"),
]
