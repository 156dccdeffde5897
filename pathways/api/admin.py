"""django-oauth-toolkit's models stay out of the Django admin: a client is registered,
suspended and reinstated on the administrator's API clients pages (``views``), which bind
its application to a service, an account and scopes, and audit each change. An application
or token made by hand would be no client of the API."""

from __future__ import annotations

from django.contrib import admin
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

for model in (Application, AccessToken, Grant, IDToken, RefreshToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
