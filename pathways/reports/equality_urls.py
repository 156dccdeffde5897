from __future__ import annotations

from django.urls import path

from pathways.reports import equality_views

app_name = "equality"
urlpatterns = [
    path("", equality_views.equality, name="report"),
]
