from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pathways.accounts import views as accounts_views
from pathways.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("security/refusals/", core_views.refusal_flags, name="refusal_flags"),
    path("accounts/login/", accounts_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("pathways.outcomes.urls")),
    path("", include("pathways.reports.urls")),
    path("accounts/", include("pathways.accounts.urls")),
    path("participants/", include("pathways.participants.urls")),
    path("", include("pathways.referrals.urls")),
    path("", include("pathways.plans.urls")),
    path("", include("pathways.contacts.urls")),
    path("employers/", include("pathways.employers.urls")),
    path("placements/", include("pathways.placements.urls")),
    path("imports/", include("pathways.imports.urls")),
    path("reports/equality/", include("pathways.reports.equality_urls")),
    path("contracts/", include("pathways.contracts.urls")),
    # One sign-in page for everyone, administrators included.
    path("admin/login/", core_views.admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
]
