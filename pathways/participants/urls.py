from __future__ import annotations

from django.urls import path

from pathways.participants import equality_views, views

app_name = "participants"
urlpatterns = [
    path("find/", views.participant_find, name="find"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/access-log/", views.participant_access_log, name="access_log"),
    path("<int:pk>/equality/", equality_views.equality, name="equality"),
    path("<int:pk>/audit-trail.csv", views.participant_audit_export, name="audit_export"),
    path("<int:pk>/restrict/", views.participant_restrict, name="restrict"),
    path("<int:pk>/subject-access/", views.participant_subject_access, name="subject_access"),
    path(
        "<int:pk>/subject-access.pdf",
        views.participant_subject_access_pdf,
        name="subject_access_pdf",
    ),
    path(
        "<int:pk>/subject-access.json",
        views.participant_subject_access_json,
        name="subject_access_json",
    ),
]
