"""The roles a user can hold. Kept free of model imports so every app can use it."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer (probation, youth offending or prison)"
    WORKER = "worker", "ETE support worker"
    MANAGER = "manager", "Service manager"
    COMMISSIONER = "commissioner", "Commissioner"
    ADMIN = "admin", "Administrator"
