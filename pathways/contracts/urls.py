from __future__ import annotations

from django.urls import path

from pathways.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract, name="detail"),
    path("edit/", views.contract_edit, name="edit"),
    path("<slug:kind>/new/", views.part, name="part_new"),
    path("<slug:kind>/<int:pk>/", views.part, name="part_edit"),
]
