from __future__ import annotations

from django.urls import path

from pathways.accounts import views

app_name = "accounts"
urlpatterns = [
    path("keep-alive/", views.keep_alive, name="keep_alive"),
]
