"""/api/v1/: the token endpoint, the operations (``api.api``), the OpenAPI document and the
documentation page."""

from __future__ import annotations

from django.urls import path
from oauth2_provider.views import TokenView

from pathways.api import views
from pathways.api.api import api

urlpatterns = [
    path("oauth/token/", TokenView.as_view(), name="api_token"),
    path("docs/", views.docs, name="api_docs"),
    path("", api.urls),
]

# The administrator's pages: register a client (its secret shown once), suspend it.
client_patterns = (
    [
        path("", views.client_list, name="list"),
        path("new/", views.client_register, name="register"),
        path("<int:pk>/", views.client_detail, name="detail"),
        path("<int:pk>/suspend/", views.client_suspend, name="suspend"),
        path("<int:pk>/reinstate/", views.client_reinstate, name="reinstate"),
    ],
    "api_clients",
)
