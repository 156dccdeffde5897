from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pathways.accounts import views as accounts_views
from pathways.api import urls as api_urls
from pathways.casework import urls as casework_urls
from pathways.contacts import urls as contact_urls
from pathways.core import views as core_views
from pathways.data_protection import urls as data_protection_urls
from pathways.employers import urls as employer_urls
from pathways.placements import urls as placement_urls
from pathways.referrals import urls as referral_urls


def composed(namespace: str, *patterns: list[Any]) -> Any:
    """One URL namespace whose pages live in more than one app: a page that joins records
    of several apps lives in the app above them all (casework, data_protection; placements
    for the opportunity pages that need places taken) but keeps the URL name of the record
    it shows."""
    return include(([pattern for group in patterns for pattern in group], namespace))


urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("security/refusals/", core_views.refusal_flags, name="refusal_flags"),
    path("more/", core_views.more, name="more"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("cookies/", core_views.cookies, name="cookies"),
    path("feedback/", core_views.feedback_give, name="feedback"),
    path("feedback/thanks/", core_views.feedback_thanks, name="feedback_thanks"),
    path("feedback/received/", core_views.feedback_received, name="feedback_received"),
    path("accounts/login/", accounts_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("pathways.outcomes.urls")),
    path("", include("pathways.convictions.urls")),
    path("", include("pathways.reports.urls")),
    path("accounts/", include("pathways.accounts.urls")),
    path(
        "participants/",
        composed(
            "participants",
            casework_urls.participant_patterns,
            data_protection_urls.participant_patterns,
        ),
    ),
    path("", composed("referrals", referral_urls.urlpatterns, casework_urls.referral_patterns)),
    path("", include("pathways.plans.urls")),
    path("", composed("contacts", contact_urls.urlpatterns, casework_urls.contact_patterns)),
    path(
        "employers/",
        composed("employers", employer_urls.urlpatterns, placement_urls.employer_patterns),
    ),
    path(
        "placements/",
        composed("placements", placement_urls.urlpatterns, casework_urls.placement_patterns),
    ),
    path("imports/", include("pathways.imports.urls")),
    path("reports/equality/", include("pathways.reports.equality_urls")),
    path("contracts/", include("pathways.contracts.urls")),
    path("notifications/", include("pathways.notifications.urls")),
    # The integration API (docs/api.md), and the administrator's pages for its clients.
    path("api/v1/", include(api_urls.urlpatterns)),
    path("api-clients/", include(api_urls.client_patterns)),
    # One sign-in page for everyone, administrators included.
    path("admin/login/", core_views.admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
]
