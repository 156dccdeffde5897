from __future__ import annotations

from django.urls import path

from pathways.convictions import views

app_name = "convictions"

urlpatterns = [
    path("participants/<int:pk>/convictions/new/", views.conviction_add, name="add"),
    path(
        "participants/<int:pk>/convictions/disclosure.pdf",
        views.disclosure_summary_pdf,
        name="summary_pdf",
    ),
]
