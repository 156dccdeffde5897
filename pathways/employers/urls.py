"""The ``employers`` namespace's pages that employers serve. config/urls.py composes the
namespace with the pages that show opportunities' status, places taken or placements,
which placements serve (``placements.urls.employer_patterns``)."""

from __future__ import annotations

from django.urls import path

from pathways.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_create, name="create"),
    path("<int:pk>/edit/", views.employer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/engagements/new/", views.engagement_add, name="engagement_add"),
    path("<int:pk>/opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/close/", views.opportunity_close, name="opportunity_close"),
]
