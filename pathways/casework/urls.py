"""The casework pages. They keep the URL names of the records they show (a person's pages
are in the ``participants`` namespace, composed in config/urls.py)."""

from __future__ import annotations

from django.urls import path

from pathways.casework import equality_views, views

participant_patterns = [
    path("find/", views.participant_find, name="find"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/access-log/", views.participant_access_log, name="access_log"),
    path("<int:pk>/equality/", equality_views.equality, name="equality"),
    path("<int:pk>/audit-trail.csv", views.participant_audit_export, name="audit_export"),
]

referral_patterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("referrals/<int:pk>/end/", views.referral_end, name="end"),
]

contact_patterns = [
    path("to-do/", views.todo, name="todo"),
]

placement_patterns = [
    path("<int:pk>/", views.placement_detail, name="detail"),
]
