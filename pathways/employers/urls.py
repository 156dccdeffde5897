from __future__ import annotations

from django.urls import path

from pathways.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_create, name="create"),
    path("<int:pk>/", views.employer_detail, name="detail"),
    path("<int:pk>/edit/", views.employer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/engagements/new/", views.engagement_add, name="engagement_add"),
    path("<int:pk>/opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/close/", views.opportunity_close, name="opportunity_close"),
    path("opportunities/<int:pk>/matches/", views.opportunity_matches, name="opportunity_matches"),
]
