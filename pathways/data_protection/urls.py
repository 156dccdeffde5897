"""The data-rights pages of a person. They keep their URL names in the ``participants``
namespace (composed with the other lists of a person's pages in config/urls.py)."""

from __future__ import annotations

from django.urls import path

from pathways.data_protection import views

participant_patterns = [
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
