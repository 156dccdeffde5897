from __future__ import annotations

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "pathways.contacts"
    label = "contacts"
    verbose_name = "Contacts, appointments and wrap-around support"
