from __future__ import annotations

from django.urls import path, re_path

from pathways.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.imports_home, name="home"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/report.csv", views.batch_errors_csv, name="batch_report"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("justice-data-lab/", views.jdl, name="jdl"),
    re_path(
        r"^justice-data-lab/export\.(?P<fmt>csv|xlsx)$", views.jdl_download, name="jdl_download"
    ),
]
