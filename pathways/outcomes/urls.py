from __future__ import annotations

from django.urls import path

from pathways.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.dashboard, name="dashboard"),
    path("outcomes/targets/", views.targets, name="targets"),
    path("outcomes/measures/<slug:key>/", views.drilldown, name="drilldown"),
    path("participants/<int:pk>/orders/new/", views.order_add, name="order_add"),
    path("participants/<int:pk>/orders/<int:order_pk>/end/", views.order_end, name="order_end"),
    path("participants/<int:pk>/offences/new/", views.offence_add, name="offence_add"),
]
