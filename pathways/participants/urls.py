from __future__ import annotations

from django.urls import path

from pathways.participants import equality_views, views

app_name = "participants"
urlpatterns = [
    path("find/", views.participant_find, name="find"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/access-log/", views.participant_access_log, name="access_log"),
    path("<int:pk>/equality/", equality_views.equality, name="equality"),
]
