from __future__ import annotations

from django.urls import path, re_path

from pathways.reports import views

app_name = "reports"
urlpatterns = [
    path("summary/", views.home, name="home"),
    path("reports/board/", views.board_list, name="board_list"),
    path("reports/board/new/", views.board_new, name="board_new"),
    path("reports/board/commentary/", views.commentary, name="commentary"),
    path("reports/board/<int:pk>/", views.board_detail, name="board_detail"),
    re_path(
        r"^reports/board/(?P<pk>[0-9]+)/(?P<kind>pdf|xlsx)/$",
        views.board_download,
        name="board_download",
    ),
]
