"""Reference data for placements. Placements themselves are personal data: they go through
the role-scoped pages, so that every view is audited."""

from __future__ import annotations

from django.contrib import admin

from pathways.placements.models import PlacementEndReason
from pathways.referrals.admin import ReasonAdmin

admin.site.register(PlacementEndReason, ReasonAdmin)
