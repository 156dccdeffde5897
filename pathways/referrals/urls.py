from __future__ import annotations

from django.urls import path

from pathways.referrals import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.referral_create, name="create"),
    path("referrals/new/check/", views.referral_check, name="check"),
    path("referrals/new/known-person/", views.referral_known_person, name="known_person"),
    path("referrals/new/<slug:step>/", views.referral_question, name="question"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="accept"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="decline"),
    path("referrals/<int:pk>/allocate/", views.referral_allocate, name="allocate"),
    path("referrals/<int:pk>/amend/", views.referral_amend, name="amend"),
    path(
        "referrals/<int:pk>/possible-duplicate/",
        views.referral_resolve_duplicate,
        name="resolve_duplicate",
    ),
    path(
        "referrals/<int:pk>/proposed-changes/",
        views.referral_proposed_changes,
        name="proposed_changes",
    ),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("service/", views.overview, name="overview"),
]
