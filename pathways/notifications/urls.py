from __future__ import annotations

from django.urls import path

from pathways.notifications import views

app_name = "notifications"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("preferences/", views.preferences, name="preferences"),
    path("people/<int:pk>/texts/", views.text_consent, name="text_consent"),
]
