from __future__ import annotations

from django.urls import path

from pathways.accounts import views

app_name = "accounts"
urlpatterns = [
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("mfa/set-up/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
]
